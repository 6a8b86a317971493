# The guest half of a microvm.nix VM: a VM spec (parsed from vm-spec.json) → the NixOS module
# the VM runs, with its `microvm.*` options. ./mkVm.nix puts it under `microvm.vms.<name>` for
# a host declaration; ./microvm-runner.nix builds one VM's runner from it without rebuilding
# the host (what the TypeScript microvm runtime runs).
#
# The guest is NixOS on microvm.nix: the host's /nix/store shared read-only, a root volume
# mounted at /var (microvm guests keep / on tmpfs, so /var is where state survives; it is the
# VM's "root disk" in quotas and snapshots), the workspace as a second volume or a shared host
# directory at /workspace, and a seed directory shared read-only that holds the host key voxnix
# generated (so the key is known before first boot) and voxnix's own SSH public key. Only the
# seed's *path* is in the result: the private host key never enters the Nix store.
#
# No Nix text is built from user input: the spec is data, checked by ./validate-vm.nix before
# any attribute of the result can be read. Evaluates with `builtins` only; nixpkgs and
# microvm.nix are needed only once the NixOS module system evaluates the module.
{
  stateVersion ? "25.05",
}:
spec:
let
  util = import ./util.nix;
  paths = import ./paths.nix;
  checked = import ./validate-vm.nix spec;
  inherit (checked) name hypervisor;

  # cloud-hypervisor has no 9p: its shares must be virtiofs (a virtiofsd per share, started by
  # the host's microvm-virtiofsd@ unit). QEMU takes 9p without a helper daemon.
  shareProto = if hypervisor == "qemu" then "9p" else "virtiofs";
  share = tag: source: mountPoint: { inherit tag source mountPoint; proto = shareProto; };

  workspaceIsDirectory = checked.workspace ? directory;

  volumes =
    [ { image = checked.rootDisk.image; mountPoint = "/var"; size = checked.rootDisk.sizeMiB; fsType = "ext4"; autoCreate = true; } ]
    ++ util.optional (!workspaceIsDirectory)
      { image = checked.workspace.image; mountPoint = paths.workspace; size = checked.workspace.sizeMiB; fsType = "ext4"; autoCreate = true; };

  shares =
    [
      (share "ro-store" "/nix/store" "/nix/.ro-store")
      (share "voxnix-seed" checked.seedDirectory paths.vmSeed)
    ]
    ++ util.optional workspaceIsDirectory (share "workspace" checked.workspace.directory paths.workspace);

  # User-mode networking forwards the guest's SSH to 127.0.0.1 only (like the QEMU runtime);
  # a tap interface is attached by the host (the containers' isolated bridge).
  interfaces =
    if checked.network.type == "user" then [ { type = "user"; id = "vx-${name}"; mac = "02:00:00:00:00:01"; } ]
    else [ { type = "tap"; id = checked.network.interface; mac = checked.network.mac; } ];
  forwardPorts = util.optional (checked.network.type == "user")
    { from = "host"; proto = "tcp"; host = { address = "127.0.0.1"; port = checked.network.sshPort; }; guest.port = 22; };

  # Copies the seed into place before sshd starts: sshd refuses keys it does not own with mode
  # 0600, which a 9p/virtiofs share cannot promise. The script is constant: no spec value in it.
  seedScript = ''
    install -m 0600 ${paths.vmSeed}/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key
    install -m 0644 ${paths.vmSeed}/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ed25519_key.pub
    install -m 0644 ${paths.vmSeed}/voxnix_authorized_keys /etc/ssh/voxnix_authorized_keys
  '';

  guest = { lib, ... }: {
    system.stateVersion = lib.mkDefault stateVersion;
    networking.hostName = name;
    microvm = {
      inherit hypervisor shares volumes interfaces forwardPorts;
      vcpu = checked.cpus;
      mem = checked.memoryMiB;
      # Relative to the VM's state directory (the unit's working directory).
      socket = "control.socket";
    };
    services.openssh = {
      enable = true;
      hostKeys = [ { path = "/etc/ssh/ssh_host_ed25519_key"; type = "ed25519"; } ];
      authorizedKeysFiles = [ "/etc/ssh/voxnix_authorized_keys" ];
      settings = {
        PasswordAuthentication = false;
        KbdInteractiveAuthentication = false;
        PermitRootLogin = "prohibit-password";
      };
    };
    # The owner's public keys (public by nature; nothing secret is in the guest module).
    users.users.root.openssh.authorizedKeys.keys = checked.sshKeys;
    networking.firewall = { enable = true; allowedTCPPorts = [ 22 ]; };
    systemd.services.voxnix-seed = {
      description = "Install the host key and voxnix's key from the voxnix seed";
      wantedBy = [ "sshd.service" ];
      before = [ "sshd.service" ];
      unitConfig.RequiresMountsFor = [ paths.vmSeed ];
      serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
      script = seedScript;
    };
    # The line the runtime waits for on the console (with an SSH banner on the port).
    systemd.services.voxnix-ready = {
      description = "Tell voxnix the VM is ready";
      wantedBy = [ "multi-user.target" ];
      after = [ "sshd.service" ];
      serviceConfig = { Type = "oneshot"; StandardOutput = "journal+console"; };
      script = "echo voxnix-vm-ready";
    };
    # Informational only: ownership lives in voxnix's database and is never read back.
    environment.variables = { VOXNIX_VM = name; VOXNIX_OWNER = checked.owner; };
  };
in
# The file travels with the module, so a NixOS option error names nix/lib/vm-guest.nix;
# toString keeps the path a string (nothing is copied into the store).
builtins.seq checked { _file = toString ./vm-guest.nix; imports = [ guest ]; }
