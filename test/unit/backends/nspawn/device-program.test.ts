/**
 * The cgroup v2 device program as instructions: one block per allow rule, a final deny, jumps
 * that land on the next rule, and nothing but the fixed rule syntax accepted.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVICE_ALLOW_LIST } from "../../../../src/runtimes/nspawn/cgroups.js";
import { attachScript, deviceProgram, parseDeviceRule } from "../../../../src/runtimes/nspawn/device-program.js";

interface Insn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

function decode(program: Buffer): Insn[] {
  const insns: Insn[] = [];
  for (let at = 0; at < program.length; at += 8) {
    const regs = program.readUInt8(at + 1);
    insns.push({
      code: program.readUInt8(at),
      dst: regs & 0xf,
      src: regs >> 4,
      off: program.readInt16LE(at + 2),
      imm: program.readInt32LE(at + 4),
    });
  }
  return insns;
}

/** Runs the program the way the kernel would for one access (the subset of eBPF it uses). */
function run(program: Buffer, device: { type: "c" | "b"; major: number; minor: number }): number {
  const insns = decode(program);
  const ctx = [(2 << 16) | (device.type === "c" ? 2 : 1), device.major, device.minor];
  const r: number[] = new Array(11).fill(0);
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    if (i.code === 0x61) r[i.dst] = ctx[i.off / 4]!;
    else if (i.code === 0x54) r[i.dst] = r[i.dst]! & i.imm;
    else if (i.code === 0x55) pc += r[i.dst] !== i.imm ? i.off : 0;
    else if (i.code === 0xb7) r[i.dst] = i.imm;
    else if (i.code === 0x95) return r[0]!;
    else throw new Error(`unexpected opcode ${i.code.toString(16)}`);
  }
  throw new Error("fell off the end");
}

describe("cgroup v2 device program", () => {
  const program = deviceProgram(DEVICE_ALLOW_LIST);

  it("allows exactly the pseudo-devices and terminals of the v1 allow-list", () => {
    for (const [major, minor] of [
      [1, 3],
      [1, 5],
      [1, 7],
      [1, 8],
      [1, 9],
      [5, 0],
      [5, 1],
      [5, 2],
      [136, 0],
      [136, 7],
    ] as const) {
      assert.equal(run(program, { type: "c", major, minor }), 1, `c ${major}:${minor}`);
    }
  });

  it("denies block devices, memory, kmsg, fuse, tun and any other node", () => {
    for (const device of [
      { type: "b", major: 7, minor: 0 }, // loop0
      { type: "b", major: 8, minor: 0 }, // sda
      { type: "b", major: 1, minor: 3 }, // a block node with null's numbers
      { type: "c", major: 1, minor: 1 }, // mem
      { type: "c", major: 1, minor: 11 }, // kmsg
      { type: "c", major: 10, minor: 229 }, // fuse
      { type: "c", major: 10, minor: 200 }, // net/tun
      { type: "c", major: 10, minor: 237 }, // loop-control
      { type: "c", major: 4, minor: 1 }, // tty1
    ] as const) {
      assert.equal(run(program, device), 0, `${device.type} ${device.major}:${device.minor}`);
    }
  });

  it("ends every path in exit and reads only the three context words", () => {
    const insns = decode(program);
    assert.equal(insns.at(-1)?.code, 0x95);
    for (const insn of insns.filter((i) => i.code === 0x61)) assert.ok([0, 4, 8].includes(insn.off) && insn.src === 1);
    for (const [at, insn] of insns.entries())
      if (insn.code === 0x55) assert.ok(at + 1 + insn.off < insns.length, "jumps stay inside the program");
  });

  it("accepts only the fixed rule syntax", () => {
    assert.deepEqual(parseDeviceRule("c 136:* rwm"), { type: "c", major: 136, minor: undefined });
    for (const bad of ["a", "c 1:3 r", "c 1:3 rwm; x", "x 1:3 rwm"])
      assert.throws(() => parseDeviceRule(bad), RangeError);
  });

  it("the attach program carries the instructions and takes no path outside /sys/fs/cgroup", () => {
    const script = attachScript(program, "x64");
    assert.ok(script.includes(program.toString("hex")));
    assert.match(script, /m\{\^\/sys\/fs\/cgroup\/\}/);
    assert.throws(() => attachScript(program, "ia32"), RangeError);
  });
});
