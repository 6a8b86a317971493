# Private remote access over Tailscale. mkContainer bind-mounts the host's per-container
# auth key file read-only at `container.paths.tailscaleAuthKey` and grants /dev/net/tun;
# only the file's *path* is part of the configuration, never the key.
{
  meta = {
    description = "Private remote access over Tailscale (Tailscale SSH into the container, no keys to manage).";
    secrets = [ "tailscale-auth-key" ];
    conflicts = [ ];
    ports = [
      {
        port = 41641;
        protocol = "udp";
        description = "Tailscale WireGuard (direct peer connections)";
      }
    ];
    options = {
      ssh = {
        type = "boolean";
        default = true;
        description = "Serve Tailscale SSH, so tailnet members allowed by the ACL can log in.";
      };
    };
  };

  module = { options, container }:
    { lib, pkgs, ... }:
    {
      services.tailscale = {
        enable = true;
        package = pkgs.tailscale;
        # Read by the tailscaled-autoconnect unit at run time (`tailscale up --auth-key file:…`).
        authKeyFile = container.paths.tailscaleAuthKey;
        extraUpFlags = [ "--hostname=${container.tailscaleHostname}" ] ++ (if options.ssh then [ "--ssh" ] else [ ]);
      };
      # Upstream's tailscaled-autoconnect is wanted by multi-user.target and is a oneshot
      # (older nixpkgs) or a notify unit that reports ready only once enrolled (newer). Either
      # way the container's boot, and so nspawn's READY notification, waits for enrolment; a
      # slow enrolment exceeds the start timeout and the host kills and restarts the container
      # in a loop. A timer starts the same unit instead, so boot never waits for it, whatever
      # its Type; on failure it retries.
      systemd.services.tailscaled-autoconnect = {
        wantedBy = lib.mkForce [ ];
        serviceConfig.Restart = "on-failure";
        serviceConfig.RestartSec = "15s";
      };
      systemd.timers.tailscaled-autoconnect = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnActiveSec = "2s";
          Unit = "tailscaled-autoconnect.service";
        };
      };
      # Access over the tailnet is governed by the tailnet's ACLs, not this firewall.
      networking.firewall.trustedInterfaces = [ "tailscale0" ];
      # Strict reverse-path filtering breaks some Tailscale routing setups.
      networking.firewall.checkReversePath = lib.mkDefault "loose";
    };
}
