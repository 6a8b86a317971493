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
      # Upstream ships autoconnect as a oneshot in multi-user.target. Inside an nspawn
      # container that holds back the boot's READY notification until enrolment finishes,
      # and a slow enrolment exceeds the container's start timeout, so the host kills and
      # restarts the container in a loop. Running it as `exec` lets the boot complete.
      systemd.services.tailscaled-autoconnect.serviceConfig.Type = lib.mkForce "exec";
      # Access over the tailnet is governed by the tailnet's ACLs, not this firewall.
      networking.firewall.trustedInterfaces = [ "tailscale0" ];
      # Strict reverse-path filtering breaks some Tailscale routing setups.
      networking.firewall.checkReversePath = lib.mkDefault "loose";
    };
}
