/**
 * KVM or TCG. `/dev/kvm` existing is not enough: on some hosts KVM opens but QEMU aborts
 * setting up the virtual CPU ("failed to set MSR"). So KVM counts as usable only when a real
 * QEMU creates a paused KVM machine and quits cleanly over QMP; anything else means TCG.
 *
 * @module
 */
import { existsSync } from "node:fs";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { Accelerator } from "./qemu-argv.js";
import { QEMU_BINARY } from "./process.js";

/** The answer of a probe, with the reason shown by `show` and `doctor`. */
export interface AcceleratorChoice {
  readonly accelerator: Accelerator;
  readonly reason: string;
}

/** argv of the probe: a paused machine with KVM and the host CPU, driven over stdio QMP. */
export const KVM_PROBE_ARGS = [
  "-accel",
  "kvm",
  "-cpu",
  "host",
  "-machine",
  "q35",
  "-nodefaults",
  "-no-user-config",
  "-display",
  "none",
  "-S",
  "-qmp",
  "stdio",
] as const;
const KVM_PROBE_INPUT = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n';

/** Tries KVM for real. */
export async function probeAccelerator(
  runner: CommandRunner,
  wanted: "auto" | "kvm" | "tcg",
): Promise<AcceleratorChoice> {
  if (wanted === "tcg") return { accelerator: "tcg", reason: "vm.accelerator is tcg." };
  if (!existsSync("/dev/kvm"))
    return { accelerator: "tcg", reason: "/dev/kvm does not exist; guests run under TCG emulation (slower)." };
  try {
    const result = await runner.run(QEMU_BINARY, [...KVM_PROBE_ARGS], { timeoutMs: 15_000, input: KVM_PROBE_INPUT });
    if (result.exitCode === 0 && result.stdout.includes('"host-qmp-quit"'))
      return { accelerator: "kvm", reason: "KVM works (a probe machine started and quit)." };
    const why = (
      result.stderr
        .trim()
        .split("\n")
        .find((line) => line.includes("error")) ??
      result.stderr.trim().split("\n")[0] ??
      ""
    ).slice(0, 200);
    return {
      accelerator: "tcg",
      reason: `/dev/kvm exists but QEMU cannot use it (${why || `exit ${result.exitCode ?? result.signal}`}); guests run under TCG emulation (slower).`,
    };
  } catch (error) {
    return {
      accelerator: "tcg",
      reason: `The KVM probe failed (${error instanceof Error ? error.message : String(error)}); guests run under TCG emulation.`,
    };
  }
}
