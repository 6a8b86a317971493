/**
 * A read-only idmapped bind mount of a directory tree: the tree seen with every owner shifted
 * into a 64K id range (on disk `0` → `base`, `1000` → `base + 1000`), nothing on disk changed.
 * Overlay roots use it as their lower layer, so a root cloned from a shared base image is owned
 * by the workload's id range from the start and nothing has to chown (copy up) the image.
 *
 * Why a program of its own: util-linux 2.38 (Debian 12) accepts `-o X-mount.idmap=…` and
 * silently mounts without a mapping (its libmount has no idmap support before 2.39; measured:
 * the mount succeeded and every file still showed uid 0). So a fixed perl program (the host's
 * perl, builtins only, like the cgroup device program) makes the mount with the new mount API:
 * a child creates a user namespace, the program writes its `uid_map`/`gid_map` (`0 base 65536`),
 * then `open_tree(OPEN_TREE_CLONE)`, `mount_setattr(MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY)` with
 * that namespace, and `move_mount` onto the target. Needs Linux ≥ 5.12 and a file system that
 * supports idmapped mounts (ext4, xfs, btrfs, tmpfs ≥ 6.3, …); nothing is read from input but
 * the three arguments, which the program checks again.
 *
 * @module
 */
import type { CommandRunner } from "../../ports/command-runner.js";
import { HostFailureError } from "../../domain/errors.js";

/** Ids in one range: a workload's root and everything it owns inside. */
export const ID_RANGE_SIZE = 0x10000;

/** Exit status of the program when the kernel refused a step (nothing is left mounted). */
export const IDMAP_FAILED = 125;

/** System-call numbers per architecture: unshare, open_tree, move_mount, mount_setattr. */
const SYSCALLS: Readonly<Partial<Record<NodeJS.Architecture, readonly [number, number, number, number]>>> = {
  x64: [272, 428, 429, 442],
  arm64: [97, 428, 429, 442],
};

/** True when `base` can start an id range: a non-zero multiple of 64K that leaves room for the range below 2^32 - 1. */
export function validIdRange(base: number): boolean {
  return Number.isInteger(base) && base > 0 && base % ID_RANGE_SIZE === 0 && base + ID_RANGE_SIZE < 0xffffffff;
}

/** The fixed perl program; arguments: source, target (absolute paths) and the range's first id. */
export function idmappedBindScript(arch: NodeJS.Architecture = process.arch): string {
  const numbers = SYSCALLS[arch];
  if (numbers === undefined) throw new RangeError(`idmapped mounts are not available on ${arch}`);
  const [unshare, openTree, moveMount, mountSetattr] = numbers;
  const CLONE_NEWUSER = 0x10000000;
  const OPEN_TREE_CLONE = 1;
  const OPEN_TREE_CLOEXEC = 0x80000;
  const AT_FDCWD = -100;
  const AT_EMPTY_PATH = 0x1000;
  const MOUNT_ATTR_RDONLY = 0x1;
  const MOUNT_ATTR_IDMAP = 0x100000;
  const MOVE_MOUNT_F_EMPTY_PATH = 4;
  return [
    "use strict; use warnings;",
    "my ($source, $target, $base) = @ARGV;",
    `sub fail { print STDERR "voxnix: idmapped mount: $_[0]\\n"; exit ${IDMAP_FAILED} }`,
    'fail("bad arguments") unless defined $base && $source =~ m{^/} && $target =~ m{^/} && $base =~ /^[1-9][0-9]*$/;',
    `fail("bad id range $base") unless $base % ${ID_RANGE_SIZE} == 0 && $base + ${ID_RANGE_SIZE} < 4294967295;`,
    // The child only holds a user namespace open for the maps; it exits when the pipe closes.
    'pipe(my $ready_r, my $ready_w) or fail("pipe: $!");',
    'pipe(my $done_r, my $done_w) or fail("pipe: $!");',
    'my $child = fork() // fail("fork: $!");',
    "if ($child == 0) {",
    "  close $ready_r; close $done_w;",
    `  syscall(${unshare}, ${CLONE_NEWUSER}) == -1 and exit 1;`,
    '  syswrite($ready_w, "u"); close $ready_w;',
    "  sysread($done_r, my $byte, 1); exit 0;",
    "}",
    "close $ready_w; close $done_r;",
    'sysread($ready_r, my $ok, 1) == 1 or fail("could not create a user namespace");',
    'for my $map ("uid_map", "gid_map") {',
    '  open(my $file, ">", "/proc/$child/$map") or fail("open $map: $!");',
    `  syswrite($file, "0 $base ${ID_RANGE_SIZE}\\n") or fail("write $map: $!");`,
    '  close($file) or fail("write $map: $!");',
    "}",
    'open(my $userns, "<", "/proc/$child/ns/user") or fail("open the user namespace: $!");',
    "close $done_w; waitpid($child, 0);",
    'my $empty = "";',
    `my $tree = syscall(${openTree}, ${AT_FDCWD}, $source, ${OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC});`,
    '$tree == -1 and fail("open_tree $source: $!");',
    // struct mount_attr: attr_set, attr_clr, propagation, userns_fd.
    `my $attr = pack("Q Q Q Q", ${MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY}, 0, 0, fileno($userns));`,
    `syscall(${mountSetattr}, $tree, $empty, ${AT_EMPTY_PATH}, $attr, length($attr)) == -1 and fail("mount_setattr: $!");`,
    `syscall(${moveMount}, $tree, $empty, ${AT_FDCWD}, $target, ${MOVE_MOUNT_F_EMPTY_PATH}) == -1 and fail("move_mount to $target: $!");`,
    'print "mounted\\n";',
  ].join("\n");
}

/**
 * Mounts `source` read-only at `target` with every owner shifted by `base`. Throws a
 * `HostFailureError` with the kernel's reason when the kernel or the file system refuses.
 */
export async function bindIdmapped(runner: CommandRunner, source: string, target: string, base: number): Promise<void> {
  if (!validIdRange(base)) throw new RangeError(`${base} does not start a 64K id range`);
  if (SYSCALLS[process.arch] === undefined)
    throw new HostFailureError(`Idmapped mounts are not available on ${process.arch}.`);
  const result = await runner.run("/usr/bin/perl", ["-e", idmappedBindScript(), "--", source, target, String(base)], {
    timeoutMs: 10_000,
    isolatedEnv: true,
    env: {},
  });
  if (result.exitCode === 0 && result.stdout.trim() === "mounted") return;
  const why =
    result.stderr.replace(/^voxnix: idmapped mount: /, "").trim() || `exit ${result.exitCode ?? result.signal}`;
  throw new HostFailureError(
    `Could not mount ${source} idmapped to ids ${base}-${base + ID_RANGE_SIZE - 1}: ${why}.`,
    why,
  );
}
