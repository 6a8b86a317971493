/**
 * The device allow-list on the cgroup v2 side: a fixed eBPF program of type
 * `BPF_PROG_TYPE_CGROUP_DEVICE`, attached to the container's unified group. On cgroup v2 this
 * is the only device control the kernel has (there is no `devices.allow` file); on a hybrid
 * host it runs next to the v1 allow-list (the kernel asks both, and both must allow).
 *
 * Why voxnix attaches it itself: systemd attaches such a program for a unit's `DeviceAllow=`,
 * but voxnix starts nspawn with `--register=no --keep-unit` on hosts whose PID 1 need not be
 * systemd, so no unit exists for the container and nothing else would attach one.
 *
 * The program is assembled here from `DEVICE_ALLOW_LIST` (the same rules the v1 controller
 * gets), as raw instructions: no compiler, no library, nothing read from input. A fixed perl
 * program (the host's perl, builtins only, like the exec entry) loads it with `bpf(2)`,
 * attaches it with `BPF_F_ALLOW_MULTI` (so a program attached further down, by anyone, can only
 * narrow it: the kernel runs every program up the tree and all must allow), and reads the
 * group's program count back, so "enforced" is what the kernel reports, not what was hoped.
 * The program lives as long as the group; removing the group detaches it.
 *
 * Needs `CONFIG_CGROUP_BPF` (Linux ≥ 4.15) and root (`CAP_SYS_ADMIN`/`CAP_BPF`); a container
 * whose program cannot be attached on a pure v2 host is not started.
 *
 * @module
 */

/** One allow rule as the v1 controller spells it: `c 1:3 rwm`, `c 136:* rwm`. */
interface DeviceRule {
  readonly type: "c" | "b";
  readonly major: number;
  /** `undefined` for every minor (`*`). */
  readonly minor: number | undefined;
}

/** Parses a v1 allow rule; throws on anything else (the rules are constants). */
export function parseDeviceRule(rule: string): DeviceRule {
  const match = /^([cb]) (\d+):(\d+|\*) rwm$/.exec(rule);
  if (!match) throw new RangeError(`unsupported device rule ${JSON.stringify(rule)} (only "c|b MAJOR:MINOR|* rwm")`);
  return {
    type: match[1] as "c" | "b",
    major: Number(match[2]),
    minor: match[3] === "*" ? undefined : Number(match[3]),
  };
}

// Instruction encoding (linux/bpf.h, linux/bpf_common.h).
const BPF_LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W
const BPF_ALU32_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
const BPF_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K
const BPF_MOV64_K = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K
const BPF_EXIT = 0x95; // BPF_JMP | BPF_EXIT
/** `bpf_cgroup_dev_ctx.access_type`'s low half: the device type. */
const DEVCG_DEV = { b: 1, c: 2 } as const;

function instruction(code: number, dst: number, src: number, offset: number, imm: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt8(code, 0);
  bytes.writeUInt8((src << 4) | dst, 1);
  bytes.writeInt16LE(offset, 2);
  bytes.writeInt32LE(imm, 4);
  return bytes;
}

/**
 * The program's instructions (little-endian, as on x86_64 and arm64): r2 = device type,
 * r3 = major, r4 = minor from the context; each rule returns 1 (allow) on a match; the end
 * returns 0 (deny). Every access (read, write, mknod) of a listed device is allowed, as `rwm`.
 */
export function deviceProgram(rules: readonly string[]): Buffer {
  const code: Buffer[] = [
    instruction(BPF_LDX_MEM_W, 2, 1, 0, 0), // r2 = ctx->access_type
    instruction(BPF_ALU32_AND_K, 2, 0, 0, 0xffff), // w2 &= 0xffff (the device type)
    instruction(BPF_LDX_MEM_W, 3, 1, 4, 0), // r3 = ctx->major
    instruction(BPF_LDX_MEM_W, 4, 1, 8, 0), // r4 = ctx->minor
  ];
  for (const rule of rules.map(parseDeviceRule)) {
    const tests = rule.minor === undefined ? 2 : 3;
    // Each test skips the rest of this rule's block (the remaining tests, then mov and exit).
    code.push(instruction(BPF_JNE_K, 2, 0, tests + 1, DEVCG_DEV[rule.type]));
    code.push(instruction(BPF_JNE_K, 3, 0, tests, rule.major));
    if (rule.minor !== undefined) code.push(instruction(BPF_JNE_K, 4, 0, 2, rule.minor));
    code.push(instruction(BPF_MOV64_K, 0, 0, 0, 1), instruction(BPF_EXIT, 0, 0, 0, 0));
  }
  code.push(instruction(BPF_MOV64_K, 0, 0, 0, 0), instruction(BPF_EXIT, 0, 0, 0, 0));
  return Buffer.concat(code);
}

/** Exit status of the attach program when the kernel refused (nothing was attached). */
export const DEVICE_PROGRAM_FAILED = 125;

/** The `bpf(2)` system-call number per architecture. */
const BPF_SYSCALL: Readonly<Partial<Record<NodeJS.Architecture, number>>> = { x64: 321, arm64: 280 };

/** True when the device program can be attached on this architecture. */
export function deviceProgramSupported(arch: NodeJS.Architecture = process.arch): boolean {
  return BPF_SYSCALL[arch] !== undefined;
}

/**
 * The fixed perl program that loads `program` and attaches it to the cgroup directory given as
 * its only argument, then prints how many device programs the group holds. Builtins only.
 */
export function attachScript(program: Buffer, arch: NodeJS.Architecture = process.arch): string {
  const bpf = BPF_SYSCALL[arch];
  if (bpf === undefined) throw new RangeError(`the device program is not available on ${arch}`);
  const BPF_PROG_LOAD = 5;
  const BPF_PROG_ATTACH = 8;
  const BPF_PROG_QUERY = 16;
  const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
  const BPF_CGROUP_DEVICE = 6;
  const BPF_F_ALLOW_MULTI = 2;
  return [
    "my ($group) = @ARGV;",
    `sub fail { print STDERR "voxnix: device program: $_[0]\\n"; exit ${DEVICE_PROGRAM_FAILED} }`,
    'fail("no group") unless defined $group && $group =~ m{^/sys/fs/cgroup/};',
    'open(my $cg, "<", $group) or fail("open $group: $!");',
    `my $insns = pack("H*", "${program.toString("hex")}");`,
    'my $license = "MIT\\0";',
    'my $log = "\\0" x 65536;',
    // union bpf_attr for BPF_PROG_LOAD: type, insn_cnt, insns, license, log_level, log_size, log_buf, kern_version, prog_flags, prog_name[16], ifindex, expected_attach_type.
    `my $load = pack("L L Q Q L L Q L L a16 L L", ${BPF_PROG_TYPE_CGROUP_DEVICE}, length($insns) / 8, unpack("J", pack("p", $insns)), unpack("J", pack("p", $license)), 1, length($log), unpack("J", pack("p", $log)), 0, 0, "voxnix_devices", 0, 0);`,
    `my $prog = syscall(${bpf}, ${BPF_PROG_LOAD}, $load, length($load));`,
    'if ($prog == -1) { my $why = "$!"; $log =~ s/\\0.*//s; fail("load: $why" . ($log eq "" ? "" : "\\n$log")) }',
    `my $attach = pack("L L L L L", fileno($cg), $prog, ${BPF_CGROUP_DEVICE}, ${BPF_F_ALLOW_MULTI}, 0);`,
    `syscall(${bpf}, ${BPF_PROG_ATTACH}, $attach, length($attach)) == -1 and fail("attach to $group: $!");`,
    // BPF_PROG_QUERY: target_fd, attach_type, query_flags, attach_flags (out), prog_ids, prog_cnt (out).
    `my $query = pack("L L L L Q L L", fileno($cg), ${BPF_CGROUP_DEVICE}, 0, 0, 0, 0, 0);`,
    `syscall(${bpf}, ${BPF_PROG_QUERY}, $query, length($query)) == -1 and fail("query $group: $!");`,
    'my $count = (unpack("L L L L Q L", $query))[5];',
    'fail("the kernel lists no device program on $group") unless $count >= 1;',
    'print "attached $count\\n";',
  ].join("\n");
}
