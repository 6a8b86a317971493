/**
 * The entry: how an exec, shell or session gets into a running container with exactly the
 * container's confinement, without running one instruction of the tenant's file system first
 * and without speaking any protocol with a process the tenant controls.
 *
 * History, because each step closed a hole:
 * - `nsenter --all` then the container's own `systemd-run`: a tenant binary (and loader, libc,
 *   `ld.so.preload`) ran as the container's root without nspawn's seccomp filter and with a
 *   full bounding set until PID 1 took over.
 * - The host's `systemd-run` against the container's bus: nothing of the tenant's files ran
 *   early, but a host program parsed D-Bus messages from the container's dbus-daemon and
 *   systemd (tenant processes), without seccomp, with the host's file system and process list
 *   in view. A memory-safety bug in that parser would have been a way out.
 *
 * Now one fixed perl program (the host's perl; never assembled from input: the leader pid,
 * the mode and the working directory are arguments, the command's words arrive in
 * `VOXNIX_ARG_<i>` variables) does it all with system calls, and the first program of the
 * tenant's it executes is the command itself, already confined:
 *
 * 1. As host root it opens the leader's namespaces (`/proc/<leader>/ns/*`) and reads the
 *    leader's capability bounding set.
 * 2. It copies the container's seccomp filters: `PTRACE_SEIZE` + `PTRACE_INTERRUPT` stop the
 *    container's PID 1 for a moment, `PTRACE_SECCOMP_GET_FILTER` reads each filter (classic
 *    BPF, checked again by the kernel when installed), `PTRACE_DETACH` lets it go. Filters can
 *    only be added, never removed, so what PID 1 holds is at least what nspawn gave it; a
 *    tenant can only make its own commands stricter.
 * 3. For a terminal it opens `/dev/pts/ptmx` inside the container's mount namespace (the path
 *    resolves in the container's tree, the last component is never a symlink) and proves it
 *    is a pty master (`TIOCGPTPEER` hands over the peer without a path), so the terminal the
 *    command gets lives in the container's devpts, never the host's.
 * 4. It forks into the container's PID namespace. The child leaves nothing for a tenant to
 *    hold: it marks itself not dumpable (so the tenant's root, sharing its uid after step 5,
 *    cannot ptrace it or open its `/proc` files before it executes), joins the user, mount,
 *    network, IPC, UTS and cgroup namespaces, becomes the container's root, changes to the
 *    working directory, drops every capability PID 1 does not have from its bounding set,
 *    sets `PR_SET_PDEATHSIG` (the command dies with the entry), installs the copied filters
 *    and executes the command. The cgroups were joined before perl started (the launcher).
 * 5. The parent stays on the host side (the host's PID namespace, invisible to the tenant)
 *    and only waits: with pipes it passes the command's exit status on; with a terminal it
 *    copies bytes between the caller and the pty master (raw mode on the caller's terminal,
 *    window size on SIGWINCH). It parses nothing the container sends. The command leads its
 *    own session; when it ends, or the entry is told to stop (SIGTERM, SIGHUP), every process
 *    of that session is killed (found by the session field of the host's `/proc/<pid>/stat`),
 *    as systemd's control-group kill did for the old transient service.
 *
 * Nothing is read from a path while the program sits in the container's mount namespace
 * except `/dev/pts/ptmx` and the working directory; no module but `strict` is loaded (loading
 * `POSIX` alone cost 70–110 ms per exec under load), and that before any namespace is joined.
 *
 * Needs Linux ≥ 4.13 (`TIOCGPTPEER`; `PTRACE_SECCOMP_GET_FILTER` needs
 * `CONFIG_CHECKPOINT_RESTORE`, which Debian's and NixOS's kernels have) and perl
 * (Debian: `perl-base`, essential).
 *
 * @module
 */

/** Exit status when the entry failed before the command was executed (nothing ran inside). */
export const ENTER_FAILED = 125;

/** Exit status when the command itself could not be executed (not found, not executable), as a shell says it. */
export const COMMAND_NOT_RUN = 127;

/** The host's perl, by absolute path (never looked up on a PATH). */
export const ENTER_PERL = "/usr/bin/perl";

/** Prefix of the variables that carry a command's argv past the host's process list. */
export const ARGV_VARIABLE = "VOXNIX_ARG_";

/** System-call numbers the entry needs, per architecture. */
interface Arch {
  readonly setns: number;
  readonly setgroups: number;
  readonly setresgid: number;
  readonly setresuid: number;
  readonly prctl: number;
  readonly ptrace: number;
  readonly setfsuid: number;
  readonly setfsgid: number;
  readonly setsid: number;
  readonly dup3: number;
  readonly exitGroup: number;
  /** `O_NOFOLLOW` differs between the two. */
  readonly oNoFollow: number;
}

const ARCHES: Readonly<Partial<Record<NodeJS.Architecture, Arch>>> = {
  x64: {
    setns: 308,
    setgroups: 116,
    setresgid: 119,
    setresuid: 117,
    prctl: 157,
    ptrace: 101,
    setfsuid: 122,
    setfsgid: 123,
    setsid: 112,
    dup3: 292,
    exitGroup: 231,
    oNoFollow: 0o400000,
  },
  arm64: {
    setns: 268,
    setgroups: 159,
    setresgid: 149,
    setresuid: 147,
    prctl: 167,
    ptrace: 117,
    setfsuid: 151,
    setfsgid: 152,
    setsid: 157,
    dup3: 24,
    exitGroup: 94,
    oNoFollow: 0o100000,
  },
};

/** The architectures the entry knows the system calls of. */
export function enterSupported(arch: NodeJS.Architecture = process.arch): boolean {
  return ARCHES[arch] !== undefined;
}

/** The `setns` system-call number on `arch` (the loopback relay joins only a network namespace). */
export function setnsSyscall(arch: NodeJS.Architecture = process.arch): number {
  const n = ARCHES[arch];
  if (n === undefined)
    throw new RangeError(`confined exec is not available on ${arch} (known: ${Object.keys(ARCHES).join(", ")})`);
  return n.setns;
}

/** How the command is connected: the caller's pipes, or a terminal in the container's devpts. */
export type EntryMode = "pipe" | "pty";

/** The fixed entry program for `arch`. */
export function enterScript(arch: NodeJS.Architecture = process.arch): string {
  const n = ARCHES[arch];
  if (n === undefined)
    throw new RangeError(`confined exec is not available on ${arch} (known: ${Object.keys(ARCHES).join(", ")})`);
  const NS = {
    user: 0x10000000,
    mnt: 0x00020000,
    net: 0x40000000,
    ipc: 0x08000000,
    uts: 0x04000000,
    cgroup: 0x02000000,
    pid: 0x20000000,
  };
  const PTRACE_DETACH = 17;
  const PTRACE_SEIZE = 0x4206;
  const PTRACE_INTERRUPT = 0x4207;
  const PTRACE_SECCOMP_GET_FILTER = 0x420c;
  const PR_SET_PDEATHSIG = 1;
  const PR_SET_DUMPABLE = 4;
  const PR_SET_SECCOMP = 22;
  const PR_CAPBSET_DROP = 24;
  const SECCOMP_MODE_FILTER = 2;
  const WALL = 0x40000000;
  const O_RDWR = 2;
  const O_NOCTTY = 0o400;
  const O_CLOEXEC = 0o2000000;
  const TIOCSPTLCK = 0x40045431;
  const TIOCGPTPEER = 0x5441;
  const TIOCSCTTY = 0x540e;
  const TIOCGWINSZ = 0x5413;
  const TIOCSWINSZ = 0x5414;
  const TCGETS = 0x5401;
  const TCSETS = 0x5402;
  return [
    "use strict;",
    "my ($leader, $mode, $cwd) = @ARGV;",
    `sub fail { print STDERR "voxnix: cannot enter the container: $_[0]\\n"; syscall(${n.exitGroup}, ${ENTER_FAILED}) }`,
    'sub sc { my ($what, $nr, @args) = @_; my $r = syscall($nr, @args); fail("$what: $!") if $r == -1; return $r }',
    `sub to_fd { my ($from, $to) = @_; sc("dup3 $from $to", ${n.dup3}, $from, $to, 0) unless $from == $to }`,
    'fail("bad leader") unless defined $leader && $leader =~ /^[1-9][0-9]*$/;',
    'fail("bad mode") unless defined $mode && ($mode eq "pipe" || $mode eq "pty");',
    'fail("bad working directory") unless defined $cwd && $cwd =~ m{^/};',
    // The command's words, out of the environment the command will see.
    `my $argc = delete $ENV{VOXNIX_ARGC} // ""; fail("bad argc") unless $argc =~ /^[1-9][0-9]{0,3}$/;`,
    `my @argv = map { my $w = delete $ENV{"${ARGV_VARIABLE}$_"}; fail("missing word $_") unless defined $w; $w } 0 .. $argc - 1;`,
    `delete $ENV{$_} for grep { /^${ARGV_VARIABLE}/ } keys %ENV;`,
    // 1. Namespaces and bounding set, by the leader's /proc entries (host root, host mount namespace).
    'my %ns; for my $name (qw(user mnt net ipc uts cgroup pid)) { open($ns{$name}, "<", "/proc/$leader/ns/$name") or fail("$name namespace: $!") }',
    'open(my $own, "<", "/proc/self/ns/mnt") or fail("own mount namespace: $!");',
    'open(my $status, "<", "/proc/$leader/status") or fail("status: $!"); my $facts = join("", <$status>); close($status);',
    "my ($bounding) = $facts =~ /^CapBnd:\\s*([0-9a-f]{16})$/m; my ($uid) = $facts =~ /^Uid:\\s*([0-9]+)/m; my ($gid) = $facts =~ /^Gid:\\s*([0-9]+)/m;",
    'fail("no owner") unless defined $uid && defined $gid;',
    'fail("no bounding set") unless defined $bounding; my ($bhi, $blo) = (hex(substr($bounding, 0, 8)), hex(substr($bounding, 8, 8)));',
    // 2. PID 1's seccomp filters, newest first as the kernel numbers them.
    `sc("ptrace the container's init", ${n.ptrace}, ${PTRACE_SEIZE}, $leader + 0, 0, 0);`,
    `sc("interrupt", ${n.ptrace}, ${PTRACE_INTERRUPT}, $leader + 0, 0, 0);`,
    `waitpid($leader, ${WALL}) == $leader or fail("wait for the container's init: $!");`,
    // A signal that happened to be on its way stays on its way.
    "my $pass = ($? >> 16) == 0 && ($? & 0xff) == 0x7f ? ($? >> 8) & 0xff : 0;",
    "my @filters;",
    "for (my $index = 0; ; $index++) {",
    `  my $count = syscall(${n.ptrace}, ${PTRACE_SECCOMP_GET_FILTER}, $leader + 0, $index, 0);`,
    "  last if $count == -1 && $! == 2;", // ENOENT: no further filter
    `  if ($count <= 0) { my $why = "$!"; syscall(${n.ptrace}, ${PTRACE_DETACH}, $leader + 0, 0, $pass + 0); fail("seccomp filter $index: $why") }`,
    '  my $program = "\\0" x ($count * 8);',
    // Called directly: sc() would copy the buffer, and the kernel would fill the copy.
    `  syscall(${n.ptrace}, ${PTRACE_SECCOMP_GET_FILTER}, $leader + 0, $index, $program) == $count or fail("read seccomp filter $index: $!");`,
    "  unshift @filters, [$count, $program];",
    "}",
    `sc("detach", ${n.ptrace}, ${PTRACE_DETACH}, $leader + 0, 0, $pass + 0);`,
    'fail("the container\'s init has no seccomp filter") unless @filters;',
    // 3. A pty in the container's devpts.
    "my ($master, $slave);",
    'if ($mode eq "pty") {',
    // Opened as the container's root (file-system ids only), so the pty is the container root's and no host privilege resolves the path.
    `  sc("setns mnt", ${n.setns}, fileno($ns{mnt}), ${NS.mnt});`,
    `  syscall(${n.setfsgid}, $gid + 0); syscall(${n.setfsuid}, $uid + 0);`,
    `  my $opened = sysopen($master, "/dev/pts/ptmx", ${O_RDWR | O_NOCTTY | O_CLOEXEC | n.oNoFollow}); my $why = "$!";`,
    `  syscall(${n.setfsuid}, 0); syscall(${n.setfsgid}, 0);`,
    `  sc("setns back", ${n.setns}, fileno($own), ${NS.mnt});`,
    '  fail("the container\'s /dev/pts/ptmx: $why") unless $opened;',
    `  my $unlock = pack("i", 0); ioctl($master, ${TIOCSPTLCK}, $unlock) or fail("unlock the pty: $!");`,
    `  my $peer = ioctl($master, ${TIOCGPTPEER}, ${O_RDWR | O_NOCTTY}); fail("not a pty master: $!") unless defined $peer;`,
    '  open($slave, "+<&=", int($peer)) or fail("pty peer: $!");',
    // perl's ioctl lengthens the buffer; the window size is its first 8 bytes. No size (0x0) gets 24x80.
    `  my $size = "\\0" x 8; my $sized = -t STDIN && ioctl(STDIN, ${TIOCGWINSZ}, $size); $size = substr($size, 0, 8);`,
    `  $size = pack("S4", 24, 80, 0, 0) unless $sized && $size ne "\\0" x 8;`,
    `  ioctl($master, ${TIOCSWINSZ}, $size);`,
    "}",
    // 4. The command, in the container's PID namespace.
    // With pipes the command gets pipes of the entry's, not the caller's descriptors: the
    // entry copies them, so a process that escapes the session cannot hold the caller's
    // output open after the command ended.
    "my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w);",
    'if ($mode eq "pipe") { pipe($in_r, $in_w) && pipe($out_r, $out_w) && pipe($err_r, $err_w) or fail("pipes: $!") }',
    `sc("setns pid", ${n.setns}, fileno($ns{pid}), ${NS.pid});`,
    'my $child = fork(); fail("fork: $!") unless defined $child;',
    "if ($child == 0) {",
    `  sc("not dumpable", ${n.prctl}, ${PR_SET_DUMPABLE}, 0, 0, 0, 0);`,
    '  if ($mode eq "pty") {',
    `    sc("setsid", ${n.setsid});`,
    `    ioctl($slave, ${TIOCSCTTY}, 0) or fail("controlling terminal: $!");`,
    "    to_fd(fileno($slave), $_) for 0 .. 2;",
    "    close($master); close($slave) if fileno($slave) > 2;",
    "  } else {",
    `    sc("setsid", ${n.setsid});`,
    "    to_fd(fileno($in_r), 0); to_fd(fileno($out_w), 1); to_fd(fileno($err_w), 2);",
    "    close($_) for $in_r, $in_w, $out_r, $out_w, $err_r, $err_w;",
    "  }",
    `  sc("setns user", ${n.setns}, fileno($ns{user}), ${NS.user});`,
    `  sc("setns $_", ${n.setns}, fileno($ns{$_}), ${"{"}mnt => ${NS.mnt}, net => ${NS.net}, ipc => ${NS.ipc}, uts => ${NS.uts}, cgroup => ${NS.cgroup}${"}"}->{$_}) for qw(mnt net ipc uts cgroup);`,
    `  sc("setgroups", ${n.setgroups}, 0, 0); sc("setresgid", ${n.setresgid}, 0, 0, 0); sc("setresuid", ${n.setresuid}, 0, 0, 0);`,
    // A credential change may reset these two; set them after it.
    `  sc("not dumpable", ${n.prctl}, ${PR_SET_DUMPABLE}, 0, 0, 0, 0);`,
    `  sc("parent death signal", ${n.prctl}, ${PR_SET_PDEATHSIG}, 9, 0, 0, 0);`,
    '  chdir($cwd) or fail("working directory $cwd: $!");',
    "  close($_) for values %ns; close($own);",
    // The bounding set of PID 1, no more: drop every capability it lacks (EINVAL past the last one the kernel knows).
    "  for my $cap (0 .. 63) {",
    "    my $held = $cap < 32 ? ($blo >> $cap) & 1 : ($bhi >> ($cap - 32)) & 1;",
    `    next if $held || syscall(${n.prctl}, ${PR_CAPBSET_DROP}, $cap, 0, 0, 0) == 0; last if $! == 22; fail("drop capability $cap: $!");`,
    "  }",
    // Last: PID 1's filters, oldest first, then the command.
    "  for my $filter (@filters) {",
    '    my $fprog = pack("S x6 Q", $filter->[0], unpack("J", pack("p", $filter->[1])));',
    `    sc("seccomp", ${n.prctl}, ${PR_SET_SECCOMP}, ${SECCOMP_MODE_FILTER}, $fprog, 0, 0);`,
    "  }",
    `  { no warnings; exec { $argv[0] } @argv; }`,
    `  print STDERR "voxnix: cannot run $argv[0]: $!\\n"; syscall(${n.exitGroup}, ${COMMAND_NOT_RUN});`,
    "}",
    // 5. The host side: wait (and relay a terminal).
    "close($_) for values %ns; close($own);",
    "my $done; my $status_code;",
    "sub reap { my $flags = shift; my $r = waitpid($child, $flags); if ($r == $child) { $done = 1; $status_code = $? } }",
    // Everything the command started, as systemd's control-group kill did: its session (the
    // child is the session leader; the host's /proc numbers it in the host's pid namespace).
    "sub stop_session {",
    '  kill("KILL", -$child);',
    "  for my $round (1 .. 3) {",
    '    opendir(my $proc, "/proc") or return; my @pids = grep { /^[0-9]+$/ } readdir($proc); closedir($proc);',
    "    my $found = 0;",
    '    for my $pid (@pids) { open(my $st, "<", "/proc/$pid/stat") or next; my $line = <$st>; close($st); next unless defined $line;',
    '      my @fields = split(" ", substr($line, rindex($line, ")") + 2)); if (($fields[3] // -1) == $child) { kill("KILL", $pid); $found = 1 } }',
    "    last unless $found;",
    "  }",
    "}",
    '$SIG{TERM} = $SIG{HUP} = $SIG{INT} = sub { kill("KILL", $child); stop_session() };',
    // One relay for both modes: [source, sink, what EOF on the source means].
    "my @flows;",
    "my $saved;",
    'if ($mode eq "pty") {',
    "  close($slave);",
    `  if (-t STDIN) { $saved = "\\0" x 64; if (ioctl(STDIN, ${TCGETS}, $saved)) {`,
    '    my ($i, $o, $c, $l, $line, $cc) = unpack("L L L L C a19", $saved);',
    "    $i &= ~(0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x400); $o &= ~0x1; $l &= ~(0x8 | 0x40 | 0x2 | 0x1 | 0x8000); $c = ($c & ~(0x30 | 0x100)) | 0x30;",
    "    substr($cc, 6, 1) = chr(1); substr($cc, 5, 1) = chr(0);",
    `    my $raw = pack("L L L L C a19", $i, $o, $c, $l, $line, $cc) . substr($saved, 36); ioctl(STDIN, ${TCSETS}, $raw);`,
    "  } else { undef $saved } }",
    `  $SIG{WINCH} = sub { my $ws = "\\0" x 8; ioctl($master, ${TIOCSWINSZ}, $ws) if ioctl(STDIN, ${TIOCGWINSZ}, $ws) };`,
    // EOF from the caller leaves the terminal open (closing the master would hang it up).
    "  @flows = ([\\*STDIN, $master, 'input'], [$master, \\*STDOUT, 'output']);",
    "} else {",
    "  close($_) for $in_r, $out_w, $err_w;",
    "  @flows = ([\\*STDIN, $in_w, 'input'], [$out_r, \\*STDOUT, 'output'], [$err_r, \\*STDERR, 'output']);",
    "}",
    "sub copy_once {",
    "  my ($flow) = @_;",
    "  my $got = sysread($flow->[0], my $bytes, 65536);",
    "  if (!$got) {",
    "    return 1 if !defined $got && ($! == 4 || $! == 11);", // EINTR, EAGAIN
    "    close($flow->[1]) if $flow->[2] eq 'input' && $mode eq 'pipe';",
    "    return 0;",
    "  }",
    "  my $at = 0; while ($at < $got) { my $w = syswrite($flow->[1], $bytes, $got - $at, $at); if (!defined $w) { next if $! == 4; last } $at += $w }",
    "  return 1;",
    "}",
    "$SIG{PIPE} = 'IGNORE';",
    "my $drained = 0;",
    "while (1) {",
    "  reap(1) unless $done;", // WNOHANG
    "  last if $done && ++$drained > 64;",
    "  my @open = grep { defined $_->[0] } @flows;",
    "  last unless grep { $_->[2] eq 'output' } @open;",
    "  my $rin = ''; vec($rin, fileno($_->[0]), 1) = 1 for @open;",
    // Once the command has ended, only what is already there is copied.
    "  my $ready = select(my $rout = $rin, undef, undef, $done ? 0 : 0.5);",
    "  if ($ready < 0) { next if $! == 4; last }",
    "  if ($ready == 0) { last if $done; next }",
    "  for my $flow (@open) { next unless vec($rout, fileno($flow->[0]), 1); undef $flow->[0] unless copy_once($flow) }",
    "}",
    `ioctl(STDIN, ${TCSETS}, $saved) if defined $saved;`,
    "reap(0) until $done;",
    "stop_session();",
    `syscall(${n.exitGroup}, ($status_code & 0x7f) == 0 ? ($status_code >> 8) & 0xff : 128 + ($status_code & 0x7f));`,
  ].join("\n");
}

/** What a confined exec hands to the runner: the entry's argv (after the launcher) and the environment carrying the command. */
export interface EntryCall {
  readonly argv: string[];
  readonly env: Record<string, string>;
}

/** Variable names the entry may pass to a command: plain names, none that changes perl or the loader. */
const PASSABLE = /^(?!PERL|LD_|VOXNIX_)[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The entry's argv and environment for running `argv` in the container whose PID 1 on the host
 * is `leader`. The command's words travel in the environment (readable only by root and the
 * process itself, unlike `/proc/<pid>/cmdline`); the entry takes them out before executing.
 */
export function entryCall(
  leader: number,
  argv: readonly string[],
  options: { readonly env: Readonly<Record<string, string>>; readonly cwd?: string; readonly interactive?: boolean },
  arch: NodeJS.Architecture = process.arch,
): EntryCall {
  if (!Number.isSafeInteger(leader) || leader < 1) throw new RangeError(`invalid leader pid ${leader}`);
  if (argv.length === 0) throw new RangeError("an exec needs a command");
  const cwd = options.cwd ?? "/root";
  if (!cwd.startsWith("/")) throw new RangeError(`the working directory must be absolute: ${JSON.stringify(cwd)}`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) {
    if (!PASSABLE.test(name))
      throw new RangeError(`the variable ${JSON.stringify(name)} cannot be passed into a container`);
    env[name] = value;
  }
  env.VOXNIX_ARGC = String(argv.length);
  argv.forEach((word, index) => (env[`${ARGV_VARIABLE}${index}`] = word));
  return {
    argv: [
      ENTER_PERL,
      "-e",
      enterScript(arch),
      "--",
      String(leader),
      options.interactive === true ? "pty" : "pipe",
      cwd,
    ],
    env,
  };
}
