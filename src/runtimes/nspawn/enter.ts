/**
 * The entry: how an exec reaches a container's systemd without running one instruction of the
 * tenant's file system outside the container's confinement.
 *
 * Before, exec ran `nsenter --all` and then the container's own `/usr/bin/systemd-run`: a
 * binary (and dynamic loader, libc, `ld.so.preload`) the tenant controls, running as the
 * container's root without nspawn's seccomp filter and with a full bounding set, until PID 1
 * took over. Now the only programs between the host and the container's PID 1 are the
 * *host's* `perl` and the *host's* `systemd-run`:
 *
 * 1. The fixed perl program below (never assembled from input; the leader pid and the
 *    `systemd-run` argv reach it as arguments), still host root, opens the leader's user and
 *    mount namespaces through `/proc/<leader>/ns/…`, and makes itself a private copy of the
 *    host's mount namespace.
 * 2. It joins the container's mount namespace only to *clone* two mounts with `open_tree`:
 *    the container's D-Bus socket `/run/dbus/system_bus_socket` and its devpts `/dev/pts`.
 *    The paths resolve with the container's root as root, so a tenant's symlink can only
 *    point elsewhere inside the tenant's own tree. Nothing is read, written or executed there.
 * 3. Back in its private host namespace it mounts an empty tmpfs over `/run` (hiding the
 *    host's own buses: `systemd-run` can reach no host bus), attaches the cloned socket at
 *    `/run/dbus/system_bus_socket` and the cloned devpts over `/dev/pts` (so `--pty` allocates
 *    the pty in the container's devpts and the container can open it by name).
 * 4. It joins the container's user namespace and becomes its root (an unprivileged id on the
 *    host), joins its network, IPC, UTS and cgroup namespaces (no host abstract socket stays in
 *    reach), empties its capability bounding set and sets `no_new_privs`, so the host
 *    `systemd-run` it then executes holds no capability at all, not even in the container.
 * 5. The host `systemd-run` (host binary, host loader, host libraries, host `/etc`) asks the
 *    container's systemd, over the container's bus, to start the command as a transient
 *    service. Only then does anything of the tenant's file system run: the service, under
 *    PID 1's seccomp filter and bounding set, in the container's every namespace and cgroup.
 *
 * Variables that could point `systemd-run` at another bus or change its loader (`DBUS_*`,
 * `SYSTEMD_*`, `LD_*`) are dropped from its environment. The entry itself stays in the host's
 * pid namespace (and its private mount namespace), invisible to the tenant's processes (they
 * cannot signal or trace it); the launcher has already put it in the container's cgroups.
 * Residual surface: the host `systemd-run` parses D-Bus messages from the container's
 * dbus-daemon and systemd (tenant-controlled processes), as an unprivileged uid with no
 * capabilities; see docs/security.md.
 *
 * Needs Linux ≥ 5.2 (`open_tree`, `move_mount`) and perl (Debian: `perl-base`, essential).
 *
 * @module
 */

/** Exit status when the entry failed before `systemd-run` ran (nothing was started inside). */
export const ENTER_FAILED = 125;

/** The host's perl, by absolute path (never looked up on a PATH). */
export const ENTER_PERL = "/usr/bin/perl";

/** The host's systemd-run, by absolute path. */
export const HOST_SYSTEMD_RUN = "/usr/bin/systemd-run";

/** System-call numbers the entry needs, per architecture (the generic numbers for open_tree and move_mount). */
interface SyscallNumbers {
  readonly unshare: number;
  readonly mount: number;
  readonly setns: number;
  readonly openTree: number;
  readonly moveMount: number;
  readonly setgroups: number;
  readonly setresgid: number;
  readonly setresuid: number;
  readonly prctl: number;
}

const SYSCALLS: Readonly<Partial<Record<NodeJS.Architecture, SyscallNumbers>>> = {
  x64: { unshare: 272, mount: 165, setns: 308, openTree: 428, moveMount: 429, setgroups: 116, setresgid: 119, setresuid: 117, prctl: 157 },
  arm64: { unshare: 97, mount: 40, setns: 268, openTree: 428, moveMount: 429, setgroups: 159, setresgid: 149, setresuid: 147, prctl: 167 },
};

/** The architectures the entry knows the system calls of. */
export function enterSupported(arch: NodeJS.Architecture = process.arch): boolean {
  return SYSCALLS[arch] !== undefined;
}

/**
 * The fixed entry program for `arch`. Only builtins (`syscall`, `open`, `mkdir`, `exec`): no
 * module is loaded, so nothing is read from a path while the program sits in the container's
 * mount namespace.
 */
export function enterScript(arch: NodeJS.Architecture = process.arch): string {
  const n = SYSCALLS[arch];
  if (n === undefined) throw new RangeError(`confined exec is not available on ${arch} (known: ${Object.keys(SYSCALLS).join(", ")})`);
  const CLONE_NEWNS = 0x00020000;
  const CLONE_NEWUSER = 0x10000000;
  const CLONE_NEWNET = 0x40000000;
  const CLONE_NEWIPC = 0x08000000;
  const CLONE_NEWUTS = 0x04000000;
  const CLONE_NEWCGROUP = 0x02000000;
  const OPEN_TREE_CLONE = 1;
  const O_CLOEXEC = 0o2000000;
  const MOVE_MOUNT_F_EMPTY_PATH = 4;
  const MS_PRIVATE_REC = 0x40000 | 0x4000;
  const MS_NOSUID_NODEV_NOEXEC = 2 | 4 | 8;
  const PR_CAPBSET_DROP = 24;
  const PR_SET_NO_NEW_PRIVS = 38;
  return [
    "my ($leader, @argv) = @ARGV;",
    `sub fail { print STDERR "voxnix: cannot enter the container: $_[0]\\n"; exit ${ENTER_FAILED} }`,
    'sub sc { my ($what, $nr, @args) = @_; my $r = syscall($nr, @args); fail("$what: $!") if $r == -1; return $r }',
    'fail("bad leader") unless defined $leader && $leader =~ /^[1-9][0-9]*$/;',
    'open(my $userns, "<", "/proc/$leader/ns/user") or fail("user namespace: $!");',
    'open(my $mntns, "<", "/proc/$leader/ns/mnt") or fail("mount namespace: $!");',
    'my @others = map { open(my $ns, "<", "/proc/$leader/ns/$_->[0]") or fail("$_->[0] namespace: $!"); [$ns, $_->[1]] }',
    `  (["net", ${CLONE_NEWNET}], ["ipc", ${CLONE_NEWIPC}], ["uts", ${CLONE_NEWUTS}], ["cgroup", ${CLONE_NEWCGROUP}]);`,
    `sc("unshare", ${n.unshare}, ${CLONE_NEWNS});`,
    `sc("private mounts", ${n.mount}, "none", "/", 0, ${MS_PRIVATE_REC}, 0);`,
    'open(my $ownns, "<", "/proc/self/ns/mnt") or fail("own mount namespace: $!");',
    `sc("setns mnt", ${n.setns}, fileno($mntns), ${CLONE_NEWNS});`,
    `my $bus = sc("the container's bus", ${n.openTree}, -100, "/run/dbus/system_bus_socket", ${OPEN_TREE_CLONE | O_CLOEXEC});`,
    `my $pts = sc("the container's devpts", ${n.openTree}, -100, "/dev/pts", ${OPEN_TREE_CLONE | O_CLOEXEC});`,
    `sc("setns back", ${n.setns}, fileno($ownns), ${CLONE_NEWNS});`,
    `sc("tmpfs on /run", ${n.mount}, "tmpfs", "/run", "tmpfs", ${MS_NOSUID_NODEV_NOEXEC}, "mode=0755,size=64k");`,
    'for my $dir ("/run/systemd", "/run/systemd/system", "/run/dbus") { mkdir($dir, 0755) or fail("mkdir $dir: $!") }',
    'open(my $anchor, ">", "/run/dbus/system_bus_socket") or fail("socket anchor: $!"); close($anchor);',
    `sc("attach the bus", ${n.moveMount}, $bus, "", -100, "/run/dbus/system_bus_socket", ${MOVE_MOUNT_F_EMPTY_PATH});`,
    `sc("attach devpts", ${n.moveMount}, $pts, "", -100, "/dev/pts", ${MOVE_MOUNT_F_EMPTY_PATH});`,
    `sc("setns user", ${n.setns}, fileno($userns), ${CLONE_NEWUSER});`,
    // The container's network namespace too, so not even an abstract socket of the host is in reach.
    `sc("setns $_->[1]", ${n.setns}, fileno($_->[0]), $_->[1]) for @others;`,
    `sc("setgroups", ${n.setgroups}, 0, 0); sc("setresgid", ${n.setresgid}, 0, 0, 0); sc("setresuid", ${n.setresuid}, 0, 0, 0);`,
    // Dropping a capability the kernel does not know fails with EINVAL; that ends the loop.
    `for my $cap (0 .. 63) { last if syscall(${n.prctl}, ${PR_CAPBSET_DROP}, $cap, 0, 0, 0) == -1 }`,
    `sc("no_new_privs", ${n.prctl}, ${PR_SET_NO_NEW_PRIVS}, 1, 0, 0, 0);`,
    "close($userns); close($mntns); close($ownns); close($_->[0]) for @others;",
    // Nothing of voxnix's own environment may point the host's systemd-run at another bus or change its loader.
    "delete $ENV{$_} for grep { /^(DBUS_|SYSTEMD_|LD_)/ } keys %ENV;",
    `exec { "${HOST_SYSTEMD_RUN}" } "systemd-run", @argv or fail("systemd-run: $!");`,
  ].join("\n");
}

/**
 * The argv (after the launcher) that runs the host's `systemd-run` with `systemdRunArgs`
 * against the container whose PID 1 on the host is `leader`.
 */
export function enterArgv(leader: number, systemdRunArgs: readonly string[], arch: NodeJS.Architecture = process.arch): string[] {
  if (!Number.isSafeInteger(leader) || leader < 1) throw new RangeError(`invalid leader pid ${leader}`);
  return [ENTER_PERL, "-e", enterScript(arch), "--", String(leader), ...systemdRunArgs];
}
