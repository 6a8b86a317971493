# The voxnix Nix library, importable without nixpkgs:
#   let voxnix = import ./nix/lib; in voxnix.mkContainer spec
{
  # spec attrset → { containers.<name> = …; systemd.services."container@<name>" = …; }
  mkContainer = import ./mkContainer.nix { };
  # { specFile } → the same, reading the spec from a JSON file.
  fromSpecFile = import ./extra-container.nix;
  # VM spec attrset → { microvm.vms.<name> = { autostart; config; }; } (microvm.nix host).
  mkVm = import ./mkVm.nix { };
  # VM spec attrset → the guest's NixOS module (microvm.* options, sshd, the seed unit).
  vmGuest = import ./vm-guest.nix { };
  # module name → file; each file is { meta; module; }.
  modules = import ./modules.nix { };
  # The catalog as the TypeScript side reads it (nix/modules/catalog.json).
  catalog = import ./catalog.nix;
  # Fixed in-container mount points.
  paths = import ./paths.nix;
}
