# Host networking: DHCP on the LAN interface, a private bridge for containers with dnsmasq
# (DHCP + DNS) and NAT to the LAN, containers isolated from each other on that bridge
# (./bridge-isolation.nix), and SSH reachable from the LAN only.
{ lib, pkgs, ... }:
let
  parameters = import ./parameters.nix;
  bridge = parameters.bridge;
  isolation = import ./bridge-isolation.nix { bridge = bridge.name; };
in
{
  networking.hostName = parameters.hostName;
  networking.hostId = parameters.hostId;
  networking.useDHCP = false;
  networking.interfaces.${parameters.interface}.useDHCP = true;

  # The bridge has no physical members: containers' vb-<name> veths join it.
  networking.bridges.${bridge.name}.interfaces = [ ];
  networking.interfaces.${bridge.name}.ipv4.addresses = [
    { inherit (bridge) address prefixLength; }
  ];

  services.dnsmasq = {
    enable = true;
    # The host keeps its LAN resolvers in /etc/resolv.conf (not 127.0.0.1): NixOS copies that
    # file into containers (copyResolvConf), where a loopback address would not work.
    resolveLocalQueries = false;
    settings = {
      interface = bridge.name;
      bind-interfaces = true;
      dhcp-range = [ "${bridge.dhcpRange.start},${bridge.dhcpRange.end},${bridge.dhcpRange.lease}" ];
      dhcp-option = [ "option:router,${bridge.address}" "option:dns-server,${bridge.address}" ];
      dhcp-authoritative = true;
    };
  };

  networking.nat = {
    enable = true;
    internalInterfaces = [ bridge.name ];
    externalInterface = parameters.interface;
  };

  networking.firewall = {
    enable = true;
    # Containers may ask the host for DHCP and DNS and nothing else: the bridge is not
    # trusted, so a tenant cannot reach the host's SSH or other services.
    interfaces.${bridge.name} = {
      allowedUDPPorts = [ 53 67 ];
      allowedTCPPorts = [ 53 ];
    };
    # SSH only from the LAN, on the LAN interface (iptables backend, the NixOS default), and
    # no routing from the bridge back onto it (one container reaching another through the host).
    extraCommands = ''
      iptables -A nixos-fw -i ${parameters.interface} -s ${parameters.lanCidr} -p tcp --dport 22 -j nixos-fw-accept
    '' + isolation.iptablesStart;
    extraStopCommands = ''
      iptables -D nixos-fw -i ${parameters.interface} -s ${parameters.lanCidr} -p tcp --dport 22 -j nixos-fw-accept 2>/dev/null || true
    '' + isolation.iptablesStop;
    checkReversePath = "loose";
  };

  # Containers cannot reach each other through the bridge: the nftables bridge table drops
  # frames between two container ports. Loaded before any container starts, again on failure.
  systemd.services.voxnix-bridge-isolation = {
    description = "voxnix: isolate containers from each other on ${bridge.name}";
    wantedBy = [ "multi-user.target" ];
    before = [ "network.target" "voxnix.service" ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      ExecStart = "${lib.getExe' pkgs.nftables "nft"} -f ${pkgs.writeText "voxnix-bridge-isolation.nft" isolation.nftRules}";
      ExecStop = "${lib.getExe' pkgs.nftables "nft"} delete table bridge ${isolation.tableName}";
    };
  };

  services.openssh = {
    enable = true;
    # The firewall rule above opens 22 for the LAN only.
    openFirewall = false;
    settings = {
      PermitRootLogin = "no";
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      X11Forwarding = false;
      MaxAuthTries = 3;
      AllowUsers = [ parameters.adminUser ];
    };
  };
}
