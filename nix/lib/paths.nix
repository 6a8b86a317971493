# Fixed in-container paths where host files are bind-mounted. They are constants (never
# taken from a spec), so a spec can only choose *which host file* is mounted, not where.
{
  # The persistent workspace (a ZFS dataset on the appliance).
  workspace = "/workspace";
  # The per-container Tailscale auth key file, mounted read-only. Only its path reaches
  # the Nix store; the key is read by tailscaled-autoconnect at run time.
  tailscaleAuthKey = "/run/voxnix/tailscale-auth-key";
  # The user's secret environment variables (KEY=VALUE lines), mounted read-only.
  envFile = "/run/voxnix/env";
  # microvm.nix VMs: the read-only seed share (host key, voxnix's public key), copied into
  # /etc/ssh by a oneshot unit before sshd starts.
  vmSeed = "/run/voxnix-seed";
}
