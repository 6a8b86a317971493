/**
 * The exec entry voxnix used before the direct entry (`src/runtimes/nspawn/enter.ts`): the
 * host's perl clones the container's bus socket and devpts, then the host's `systemd-run`
 * asks the container's systemd (over D-Bus) for a transient service. Kept only so
 * `bench/exec.bench.ts` can measure the new entry against it in one run.
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
  x64: {
    unshare: 272,
    mount: 165,
    setns: 308,
    openTree: 428,
    moveMount: 429,
    setgroups: 116,
    setresgid: 119,
    setresuid: 117,
    prctl: 157,
  },
  arm64: {
    unshare: 97,
    mount: 40,
    setns: 268,
    openTree: 428,
    moveMount: 429,
    setgroups: 159,
    setresgid: 149,
    setresuid: 147,
    prctl: 167,
  },
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
  if (n === undefined)
    throw new RangeError(`confined exec is not available on ${arch} (known: ${Object.keys(SYSCALLS).join(", ")})`);
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
export function enterArgv(
  leader: number,
  systemdRunArgs: readonly string[],
  arch: NodeJS.Architecture = process.arch,
): string[] {
  if (!Number.isSafeInteger(leader) || leader < 1) throw new RangeError(`invalid leader pid ${leader}`);
  return [ENTER_PERL, "-e", enterScript(arch), "--", String(leader), ...systemdRunArgs];
}

/** The environment commands run with inside a container. */
export function containerEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    USER: "root",
    LANG: "C.UTF-8",
    ...extra,
  };
}

/** Prefix of the variables that carry a command's argv past the host's process list. */
export const ARGV_VARIABLE = "VOXNIX_ARG_";

/**
 * The fixed program the transient service runs inside the container: it rebuilds the argv
 * from `VOXNIX_ARGC` and `VOXNIX_ARG_<i>` (only the index is ever evaluated, never a value),
 * removes those variables and executes the command. Runs under the container's own `/bin/sh`,
 * inside every confinement of the container.
 */
export const ARGV_SCRIPT = [
  "i=0; n=${VOXNIX_ARGC:-0}; set --",
  String.raw`while [ "$i" -lt "$n" ]; do eval "set -- \"\$@\" \"\$VOXNIX_ARG_$i\""; unset "VOXNIX_ARG_$i"; i=$((i + 1)); done`,
  "unset VOXNIX_ARGC",
  'exec "$@"',
].join("\n");

/** What a confined exec hands to the host's `systemd-run` (through the entry, `enter.ts`): its argv and the environment carrying the command. */
export interface ServiceCall {
  readonly args: string[];
  readonly env: Record<string, string>;
}

/**
 * `systemd-run` argv (and environment) running `argv` inside the container as a transient
 * service of the container's own systemd (`systemd-run --wait`).
 *
 * Confinement: the `systemd-run` is the *host's*, started by the entry (`enter.ts`) as the
 * container's root with no capabilities, talking to the container's bus; nothing from the
 * container's file system runs until the container's PID 1 starts the service. The command
 * then inherits the seccomp filter and bounding set nspawn gave PID 1, runs in every namespace
 * and cgroup of the container and shows up in its journal; `--wait` passes its exit status
 * back. `--pipe` connects the caller's stdio, `--pty` a terminal in the container's devpts.
 *
 * Secrets: the command's words never appear on a host command line. They travel in the
 * environment (readable only by root and the process itself, unlike `/proc/<pid>/cmdline`),
 * `systemd-run -E NAME` copies them into the service by name, and `ARGV_SCRIPT` turns them
 * back into an argv inside the container.
 */
export function serviceCall(
  argv: readonly string[],
  options: {
    readonly env?: Readonly<Record<string, string>>;
    readonly cwd?: string;
    readonly interactive?: boolean;
    readonly timeoutMs?: number;
    /** Names the transient service (see `SESSION_UNIT_PATTERN`), so a session can be stopped from outside. */
    readonly unit?: string;
  } = {},
): ServiceCall {
  const serviceEnv = containerEnvironment(options.env);
  const argvEnv: Record<string, string> = { VOXNIX_ARGC: String(argv.length) };
  argv.forEach((word, index) => (argvEnv[`${ARGV_VARIABLE}${index}`] = word));
  const passed = [...Object.keys(serviceEnv), ...Object.keys(argvEnv)].flatMap((name) => ["-E", name]);
  return {
    args: [
      "--wait",
      "--quiet",
      "--collect",
      ...(options.unit === undefined ? [] : [`--unit=${checkedUnit(options.unit)}`]),
      options.interactive === true ? "--pty" : "--pipe",
      `--working-directory=${options.cwd ?? "/root"}`,
      // The container's systemd stops the command at the same deadline the host kills the entry.
      ...(options.timeoutMs === undefined
        ? []
        : [`--property=RuntimeMaxSec=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`]),
      ...passed,
      "--",
      "/bin/sh",
      "-c",
      ARGV_SCRIPT,
      "voxnix-exec",
    ],
    env: { ...serviceEnv, ...argvEnv },
  };
}

/** Names of session services: fixed prefix and random hex only, never anything a tenant chose. */
export const SESSION_UNIT_PATTERN = /^voxnix-session-[0-9a-f]{16}$/;

function checkedUnit(unit: string): string {
  if (!SESSION_UNIT_PATTERN.test(unit)) throw new RangeError(`invalid session unit name ${JSON.stringify(unit)}`);
  return unit;
}
