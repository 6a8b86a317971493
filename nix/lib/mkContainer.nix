# mkContainer: a container spec (parsed from spec.json with builtins.fromJSON) → an
# extra-container input module:
#
#   { containers.<name> = { privateNetwork; hostBridge; autoStart; bindMounts; … config; };
#     systemd.services."container@<name>".serviceConfig = { CPUQuota; MemoryMax; }; }
#
# No Nix text is ever built from user input: the spec is data, checked by ./validate.nix
# (every failure throws `voxnix: …`) before any attribute of the result can be read.
# Evaluates with `builtins` only; nixpkgs is needed only once the NixOS module system
# evaluates the `config` modules (inside extra-container).
{
  directory ? ../modules,
  stateVersion ? "25.05",
}:
spec:
let
  util = import ./util.nix;
  paths = import ./paths.nix;
  library = import ./modules.nix { inherit directory; };
  metadata = import ./metadata.nix { inherit directory; };
  infoByName = builtins.listToAttrs (map (info: { name = info.name; value = info; }) metadata);

  checked = import ./validate.nix { inherit library metadata; } spec;
  inherit (checked) name modules;
  hasModule = module: builtins.elem module modules;
  withTailscale = hasModule "tailscale";

  # What a module's NixOS module receives besides its own resolved options.
  container = {
    inherit name modules paths;
    tailscaleHostname = if checked.tailscale == null then name else checked.tailscale.hostname;
  };

  # Each fragment carries the file it came from, so a NixOS option error inside a container
  # names nix/modules/<name>.nix instead of "<unknown-file>". toString keeps the path a
  # string: nothing is copied into the store.
  withFile = file: module: { _file = toString file; imports = [ module ]; };

  moduleConfig = module: withFile library.${module} ((import library.${module}).module {
    options = checked.moduleOptions.${module};
    inherit container;
  });

  # Ports of the selected modules, with option-driven port numbers resolved.
  ports = builtins.concatMap
    (module: map
      (port: port // { port = if port ? option then checked.moduleOptions.${module}.${port.option} else port.port; })
      infoByName.${module}.ports)
    modules;
  portsOf = protocol: util.unique (map (port: port.port) (builtins.filter (port: port.protocol == protocol) ports));

  base = { lib, ... }: {
    # Stronger than mkDefault (1000) on purpose: extra-container's eval-config.nix gives every
    # container `system.stateVersion = lib.mkDefault <nixos release>`, and two different
    # mkDefault strings conflict (types.str). A module's plain definition still wins.
    system.stateVersion = lib.mkOverride 900 stateVersion;
    # The host bridge's dnsmasq hands out addresses; nixos-container names the interface eth0.
    networking.interfaces.eth0.useDHCP = true;
    networking.firewall = {
      enable = true;
      allowedTCPPorts = portsOf "tcp";
      allowedUDPPorts = portsOf "udp";
    };
    # Informational only: ownership lives in voxnix's database and is never read back
    # from a container (root inside it could change these).
    environment.variables = {
      VOXNIX_CONTAINER = name;
      VOXNIX_MODULES = util.join " " modules;
      VOXNIX_OWNER = checked.owner;
    };
  };

  # Host files mounted into the container. Every hostPath is a string, never a Nix path
  # literal, so nothing is copied into the store; secrets are mounted read-only.
  bindMounts =
    util.optionalAttrs (checked.workspace != null) {
      ${paths.workspace} = { hostPath = checked.workspace.hostPath; isReadOnly = false; };
    }
    // util.optionalAttrs withTailscale {
      ${paths.tailscaleAuthKey} = { hostPath = checked.tailscale.authKeyFile; isReadOnly = true; };
    }
    // util.optionalAttrs (checked.env != null) {
      ${paths.envFile} = { hostPath = checked.env.hostFile; isReadOnly = true; };
    };

  # systemd's CPUQuota is a percentage of one CPU; floor keeps it an integer ("150%").
  cpuQuota = let percent = builtins.floor (checked.resources.cpus * 100); in "${toString (if percent < 1 then 1 else percent)}%";
in
{
  containers.${name} = {
    # An invariant, not an option: every workload has its own network namespace.
    privateNetwork = true;
    hostBridge = checked.hostBridge;
    autoStart = checked.autoStart;
    inherit bindMounts;
    # The TUN device (and, through enableTun, CAP_NET_ADMIN) only where Tailscale runs.
    allowedDevices = util.optional withTailscale { node = "/dev/net/tun"; modifier = "rwm"; };
    enableTun = withTailscale;
    # First boots with several services can exceed the 1-minute default.
    timeoutStartSec = "3min";
    config = {
      imports = [ (withFile ./mkContainer.nix base) ] ++ map moduleConfig modules;
    };
  };

  # Resource limits go on the container's own unit rather than into `extraFlags`:
  # nixos-container starts systemd-nspawn with `--keep-unit`, so the container runs in the
  # cgroup of container@<name>.service, and nspawn's `--property=` is ignored with
  # --keep-unit (it only applies to a scope nspawn registers itself). Unit properties limit
  # the whole container, and extra-container installs this unit with the container.
  systemd.services."container@${name}".serviceConfig = {
    CPUQuota = cpuQuota;
    MemoryMax = toString checked.resources.memoryBytes;
  } // util.optionalAttrs (checked.resources ? pids) {
    # The most tasks (processes and threads) the whole container may run: a fork bomb stops here.
    TasksMax = toString checked.resources.pids;
  };
}
