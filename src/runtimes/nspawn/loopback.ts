/**
 * A TCP connection to a port on a container's *own loopback* (`127.0.0.1` or `::1` inside it),
 * for SSH port forwarding. Editors' remote modes start their server bound to loopback (VS Code
 * Remote-SSH: `code-server --host=127.0.0.1 --port=0`, reached through `ssh -D`), and so do
 * many dev servers; the container's bridge address cannot reach those.
 *
 * One fixed perl program (the host's perl, no module but `strict`, nothing assembled from
 * input: the leader pid, the port and the family are checked arguments) joins only the
 * container's *network* namespace, connects to loopback there and copies bytes between its
 * standard input/output and the socket, as `kubectl port-forward` does for a pod. It stays in
 * the host's mount and PID namespaces (the tenant cannot see or signal it), executes nothing of
 * the container's and parses nothing it receives. It writes `connected` on standard error once
 * the connection stands, or exits with `LOOPBACK_FAILED` and a reason.
 *
 * @module
 */
import { ConflictError, HostFailureError } from "../../domain/errors.js";
import type { InteractiveProcess, ProcessSpawner } from "../../ports/command-runner.js";
import { ENTER_PERL, setnsSyscall } from "./enter.js";

/** How long the relay may take to connect before it is ended. */
export const LOOPBACK_CONNECT_TIMEOUT_MS = 10_000;

/** Exit status when the relay could not connect (nothing was sent either way). */
export const LOOPBACK_FAILED = 2;

const CLONE_NEWNET = 0x40000000;

/** The fixed relay program for `arch`. */
export function loopbackScript(arch: NodeJS.Architecture = process.arch): string {
  const setns = setnsSyscall(arch);
  return [
    "use strict;",
    "my ($leader, $port, $family) = @ARGV;",
    `sub fail { print STDERR "voxnix: $_[0]\\n"; exit ${LOOPBACK_FAILED} }`,
    'fail("bad leader") unless defined $leader && $leader =~ /^[1-9][0-9]{0,9}$/;',
    'fail("bad port") unless defined $port && $port =~ /^[1-9][0-9]{0,4}$/ && $port <= 65535;',
    'fail("bad family") unless defined $family && ($family eq "4" || $family eq "6");',
    'open(my $ns, "<", "/proc/$leader/ns/net") or fail("no network namespace: $!");',
    `syscall(${setns}, fileno($ns), ${CLONE_NEWNET}) == -1 and fail("setns: $!");`,
    "close $ns;",
    // struct sockaddr_in / sockaddr_in6 by hand: the Socket module is not loaded.
    'my ($af, $address) = $family eq "6" ? (10, pack("S n N a16 N", 10, $port, 0, ("\\0" x 15) . "\\1", 0)) : (2, pack("S n C4 x8", 2, $port, 127, 0, 0, 1));',
    'socket(my $s, $af, 1, 0) or fail("socket: $!");',
    'connect($s, $address) or fail("nothing answers on port $port: $!");',
    'print STDERR "connected\\n";',
    "binmode STDIN; binmode STDOUT;",
    "sub put { my ($fh, $data) = @_; my $off = 0; while ($off < length $data) { my $w = syswrite($fh, $data, length($data) - $off, $off); exit 0 unless defined $w; $off += $w } }",
    "my ($in, $out) = (1, 1);",
    "while ($out) {",
    "  my $want = ''; vec($want, fileno(STDIN), 1) = 1 if $in; vec($want, fileno($s), 1) = 1;",
    "  my $ready = $want; my $n = select($ready, undef, undef, undef);",
    "  if ($n < 0) { next if $! == 4; exit 1 }",
    "  if ($in && vec($ready, fileno(STDIN), 1)) { my $got = sysread(STDIN, my $buf, 65536); if ($got) { put($s, $buf) } else { $in = 0; shutdown($s, 1) } }",
    "  if (vec($ready, fileno($s), 1)) { my $got = sysread($s, my $buf, 65536); if ($got) { put(\\*STDOUT, $buf) } else { $out = 0 } }",
    "}",
    "exit 0;",
  ].join("\n");
}

/** The relay's argv for `port` on the loopback of the container whose PID 1 on the host is `leader`. */
export function loopbackArgv(
  leader: number,
  port: number,
  family: 4 | 6,
  arch: NodeJS.Architecture = process.arch,
): string[] {
  if (!Number.isSafeInteger(leader) || leader < 1) throw new RangeError(`invalid leader pid ${leader}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid port ${port}`);
  return ["-e", loopbackScript(arch), "--", String(leader), String(port), String(family)];
}

/**
 * Starts the relay and resolves once it is connected; rejects with a `ConflictError` when
 * nothing listens there or the connection does not stand within `connectTimeoutMs` (the caller
 * refuses the forward), and ends the relay.
 */
export async function connectLoopback(
  spawner: ProcessSpawner,
  leader: number,
  options: {
    readonly port: number;
    readonly family: 4 | 6;
    readonly timeoutMs: number;
    readonly connectTimeoutMs?: number;
  },
): Promise<InteractiveProcess> {
  const relay = await spawner.spawn(ENTER_PERL, loopbackArgv(leader, options.port, options.family), {
    env: {},
    timeoutMs: options.timeoutMs,
  });
  const stderr = relay.stderr;
  if (stderr === undefined) {
    relay.close();
    throw new HostFailureError("The loopback relay has no error stream.");
  }
  let said = "";
  // A listener that never completes the handshake (a full backlog) must not hold a host process for the kernel's minutes of retries.
  const timer = setTimeout(() => relay.close(), options.connectTimeoutMs ?? LOOPBACK_CONNECT_TIMEOUT_MS);
  const outcome = await new Promise<"connected" | "failed">((resolve) => {
    const onData = (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("connected\n")) {
        stderr.off("data", onData);
        stderr.resume();
        resolve("connected");
      }
    };
    stderr.on("data", onData);
    void relay.exit.then(() => resolve("failed"));
  });
  clearTimeout(timer);
  if (outcome === "connected") return relay;
  relay.close();
  const reason = said
    .replace(/^voxnix: /, "")
    .trim()
    .slice(0, 200);
  throw new ConflictError(
    "wrong-state",
    `Port ${options.port} on the workload's loopback cannot be reached${reason === "" ? "" : ` (${reason})`}.`,
  );
}
