# Everything specific to one appliance, in one place. Edit this file before installing
# (docs/deploy.md); nothing host-specific is written anywhere else.
{
  system = "x86_64-linux";
  hostName = "voxnix";
  timeZone = "UTC";

  # The disk disko partitions and FORMATS on install (everything on it is lost).
  disk = "/dev/sda";
  # Kernel modules the initrd needs to see that disk (add e.g. "hv_storvsc" on Hyper-V).
  initrdModules = [ "ahci" "nvme" "sd_mod" "sr_mod" "xhci_pci" "usb_storage" "virtio_pci" "virtio_scsi" "virtio_blk" ];
  # ZFS needs a unique 8-hex-digit host id: `head -c4 /dev/urandom | od -A none -t x4 | tr -d ' '`.
  hostId = "8425e349";
  # ZFS pool created on the disk; user workspaces live in <pool>/users.
  pool = "tank";
  # Upper bound for the ZFS ARC, so containers keep their memory.
  zfsArcMaxBytes = 4 * 1024 * 1024 * 1024;

  # The host's LAN network interface (DHCP) and the LAN allowed to reach SSH.
  interface = "eth0";
  lanCidr = "192.168.1.0/24";

  # The private bridge every container is attached to; dnsmasq hands out the range below
  # and the host NATs the bridge to `interface`.
  bridge = {
    name = "br-vox";
    address = "10.100.0.1";
    prefixLength = 24;
    dhcpRange = { start = "10.100.0.100"; end = "10.100.0.250"; lease = "12h"; };
  };

  # The administrator's login (SSH key only, passwordless sudo).
  adminUser = "admin";
  adminSshKeys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIREPLACEWITHYOURKEYREPLACEWITHYOURKEYxx admin@example"
  ];

  # Recipients allowed to decrypt secrets (secrets/secrets.nix reads these): the admin's age
  # key and, after the first install, the host's SSH host key
  # (`ssh-keyscan -t ed25519 <host>`).
  secretRecipients = {
    admin = "age1replacewithyouragepublickeyxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    host = null;
  };

  # voxnix users who are admins from the start (e.g. "telegram:123456789").
  voxnixAdmins = [ ];
  # Model provider for the agent: "none" (offline intent engine), "anthropic", "openai",
  # or "openai-compatible" (then set llmBaseUrl). The key goes into secrets/voxnix-env.age.
  llmProvider = "none";
  llmModel = null;
  llmBaseUrl = null;

  # Remote access (the tailscale module): a Tailscale OAuth client with the auth_keys scope
  # that owns tag:voxnix. Its id goes here; its secret into secrets/tailscale-oauth-secret.age.
  # voxnix mints one single-use, pre-authorised, tagged key per container with it.
  tailscaleOAuthClientId = null;
}
