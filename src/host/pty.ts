/**
 * The one pseudo-terminal package and the one rule for terminal sizes. Every interactive
 * session that needs a host pty (the process spawner's terminal sessions, behind every
 * `Runtime.attach` with a terminal) gets it here, from
 * `@lydell/node-pty`: node-pty (MIT) published with prebuilt binaries, so it installs on
 * Node 20 without a compiler. Loaded on first use, so commands that never open a terminal
 * never load a native addon.
 *
 * @module
 */
import type { TerminalSize } from "../ports/command-runner.js";

export type PtyModule = typeof import("@lydell/node-pty");
export type PtyProcess = import("@lydell/node-pty").IPty;

let ptyModule: Promise<PtyModule> | undefined;

/** The pty package (CommonJS: its exports may arrive as the namespace's default export). */
export function loadPty(): Promise<PtyModule> {
  return (ptyModule ??= import("@lydell/node-pty").then(
    (module) => (module as { default?: PtyModule }).default ?? module,
  ));
}

/** Terminal sizes outside these bounds are clamped (a hostile client must not ask for a 1e9-column pty). */
export const TERMINAL_LIMITS = { minCols: 2, maxCols: 1000, minRows: 1, maxRows: 500 } as const;

/** `size` within `TERMINAL_LIMITS`, whole numbers. */
export function clampSize(size: TerminalSize): TerminalSize {
  const clamp = (value: number, low: number, high: number) =>
    Math.min(high, Math.max(low, Math.floor(Number.isFinite(value) ? value : low)));
  return {
    cols: clamp(size.cols, TERMINAL_LIMITS.minCols, TERMINAL_LIMITS.maxCols),
    rows: clamp(size.rows, TERMINAL_LIMITS.minRows, TERMINAL_LIMITS.maxRows),
  };
}
