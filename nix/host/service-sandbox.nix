# The voxnix unit's sandbox: only settings that do NOT give the service its own mount
# namespace. voxnix mounts workspaces (`zfs create`, `zfs mount`, `mount`) that containers
# started by the host's systemd must see. Any setting that makes a private mount namespace
# (ProtectSystem, ProtectHome, ReadWritePaths, PrivateTmp, PrivateDevices, ProtectKernel*,
# ProtectControlGroups, ProtectProc, TemporaryFileSystem, BindPaths, …) turns those mounts
# into mounts only voxnix sees: systemd makes the namespace a slave, so host mounts reach the
# service but the service's never reach the host, and a container would get an empty
# /workspace. ProtectClock is left out too: it adds a device allow-list, which would cut off
# /dev/zfs. What remains are seccomp, capability and privilege limits that need no namespace.
# Plain data (no nixpkgs), so test/nix checks it without nixpkgs.
{
  NoNewPrivileges = true;
  RestrictSUIDSGID = true;
  LockPersonality = true;
  RestrictRealtime = true;
  SystemCallArchitectures = "native";
  # The clock calls ProtectClock would have filtered, without its device rule.
  SystemCallFilter = [ "~@clock" ];
  UMask = "0077";
}
