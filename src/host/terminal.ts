/**
 * Programs on a pseudo-terminal, for the browser terminal: the runner's `spawnTerminal`. A
 * pty on the host (not pipes) is what makes a remote shell behave: the program sees a
 * terminal, line editing and colours work, and a resize reaches it as SIGWINCH. The pty comes
 * from `host/pty.ts`, the one pty package every interactive session uses.
 * Like `run`: argv only, never a shell string; a deadline on every call (hang up, then kill).
 *
 * @module
 */
import { HostFailureError } from "../domain/errors.js";
import type { TerminalOptions, TerminalProcess } from "../ports/command-runner.js";
import { clampSize, loadPty, type PtyProcess } from "./pty.js";

export { TERMINAL_LIMITS, clampSize } from "./pty.js";

/** Starts `command` on a new pty. */
export async function spawnTerminal(
  command: string,
  args: readonly string[],
  options: TerminalOptions,
  context: { readonly baseEnv: Readonly<Record<string, string | undefined>>; readonly killGraceMs: number },
): Promise<TerminalProcess> {
  if (!(options.timeoutMs > 0))
    throw new RangeError(`spawnTerminal("${command}"): timeoutMs must be a positive number.`);
  const pty = await loadPty();
  const env = options.isolatedEnv === true ? { ...options.env } : { ...context.baseEnv, ...options.env };
  const size = clampSize(options.size);
  let child: PtyProcess;
  try {
    child = pty.spawn(command, [...args], { name: "xterm-256color", cols: size.cols, rows: size.rows, env: env });
  } catch (error) {
    throw new HostFailureError(
      `Cannot start "${command}" on a terminal.`,
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
  let timedOut = false;
  let ended = false;
  let killTimer: NodeJS.Timeout | undefined;
  const hangUp = () => {
    if (ended || killTimer) return;
    try {
      child.kill("SIGHUP");
    } catch {
      /* already gone */
    }
    killTimer = setTimeout(() => {
      try {
        if (!ended) child.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }, context.killGraceMs);
    killTimer.unref();
  };
  const deadline = setTimeout(() => {
    timedOut = true;
    hangUp();
  }, options.timeoutMs);
  deadline.unref();
  const exited = new Promise<{ exitCode: number | null; timedOut: boolean }>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      ended = true;
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode: signal ? null : exitCode, timedOut });
    });
  });
  return {
    write: (data) => {
      if (!ended) child.write(data);
    },
    resize: (next) => {
      if (ended) return;
      const clamped = clampSize(next);
      child.resize(clamped.cols, clamped.rows);
    },
    onData: (listener) => {
      const subscription = child.onData(listener);
      return () => subscription.dispose();
    },
    exited,
    hangUp,
  };
}
