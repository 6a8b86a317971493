/**
 * The systemd settings that give a unit its own mount namespace (systemd.exec(5)), shared by
 * the sandbox tests: with any of them, mounts voxnix makes never reach the host.
 *
 * @module
 */

/** Settings that imply a private mount namespace, or (ProtectClock) a device allow-list. */
export const MOUNT_NAMESPACE_SETTINGS = [
  "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateMounts", "PrivateNetwork",
  "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectProc", "ProcSubset",
  "ProtectHostname", "ProtectClock", "ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "ExecPaths", "NoExecPaths",
  "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths", "RootDirectory", "RootImage", "MountAPIVFS", "MountFlags",
  "PrivateUsers", "DynamicUser", "StateDirectory", "RuntimeDirectory", "CacheDirectory", "LogsDirectory", "ConfigurationDirectory",
  "DevicePolicy", "DeviceAllow",
] as const;
