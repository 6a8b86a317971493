/**
 * The runtime registry's one table: every runtime voxnix can run, by the name the
 * configuration and the workload records use. Adding a runtime is a folder beside this file,
 * one line here, and a run of the runtime conformance suite (`test/conformance/runtime.ts`).
 *
 * @module
 */
import type { BackendDeps } from "../backends/deps.js";
import type { Runtime } from "../ports/runtime.js";
import { createNixosRuntime } from "./nixos/index.js";
import { createNspawnRuntime } from "./nspawn/index.js";
import { createMicrovmRuntime } from "./microvm/index.js";
import { createQemuRuntime } from "./qemu/index.js";

/** Builds one runtime from what the composition root hands every runtime. */
export type RuntimeFactory = (deps: BackendDeps) => Runtime;

/** Every runtime, by name. */
export const RUNTIMES = {
  nspawn: createNspawnRuntime,
  nixos: createNixosRuntime,
  qemu: createQemuRuntime,
  microvm: createMicrovmRuntime,
} as const satisfies Record<string, RuntimeFactory>;

export type RuntimeName = keyof typeof RUNTIMES;
