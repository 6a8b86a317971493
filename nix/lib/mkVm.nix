# mkVm: a VM spec (parsed from vm-spec.json with builtins.fromJSON) → a microvm.nix host
# declaration, for a NixOS host that imports `microvm.nixosModules.host`:
#
#   { microvm.vms.<name> = { autostart; config = <the guest module, ./vm-guest.nix>; }; }
#
# Declared this way, the VM is part of the host's configuration (`nixos-rebuild switch` makes
# it). voxnix's own VMs are made at run time instead, one runner at a time
# (./microvm-runner.nix, started by the host's `microvm@<name>.service`), from the same guest
# module, so both ways give the same VM. Evaluates with `builtins` only.
{
  stateVersion ? "25.05",
}:
spec:
let
  guest = import ./vm-guest.nix { inherit stateVersion; } spec;
  checked = import ./validate-vm.nix spec;
in
builtins.seq guest {
  microvm.vms.${checked.name} = {
    autostart = checked.autoStart;
    config = guest;
  };
}
