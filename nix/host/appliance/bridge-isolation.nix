# Isolation of containers from each other on the host bridge, as plain data (no nixpkgs, so
# test/nix checks it without nixpkgs). Two layers:
#
#  - Layer 2: frames the bridge would switch from one container port to another are dropped
#    by an nftables `bridge` table (the forward hook sees bridged traffic without
#    br_netfilter). nixos-container names the host end of a container's veth `vb-<name>`; the
#    rule matches any two such ports, so containers created later are covered without a
#    per-container step. Traffic between a container and the host (DHCP, DNS) and out to NAT
#    does not cross two container ports and is not touched.
#  - Layer 3: a container sending another container's address to the host's MAC would be
#    routed back onto the bridge; iptables drops forwarding from the bridge to itself.
#
# What the host itself accepts from the bridge (DHCP and DNS only) is the NixOS firewall's
# `interfaces.<bridge>` in networking.nix.
{ bridge }:
rec {
  tableName = "voxnix_isolation";
  # The host-side name pattern of container veths (nixos-container's `vb-<name>`).
  portPattern = "vb-*";

  # Idempotent: declaring then deleting the table makes `nft -f` replace it on every load.
  nftRules = ''
    table bridge ${tableName}
    delete table bridge ${tableName}
    table bridge ${tableName} {
      chain forward {
        type filter hook forward priority 0; policy accept;
        iifname "${portPattern}" oifname "${portPattern}" drop
      }
    }
  '';

  # For networking.firewall.extraCommands / extraStopCommands (iptables backend).
  iptablesStart = ''
    iptables -I FORWARD -i ${bridge} -o ${bridge} -j DROP
  '';
  iptablesStop = ''
    iptables -D FORWARD -i ${bridge} -o ${bridge} -j DROP 2>/dev/null || true
  '';
}
