/**
 * A real `CommandRunner` for host tests and benchmarks: the project's runner from
 * `src/host/` when it exists, else a minimal spawn-based one with the same contract.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { HostFailureError, TimeoutError } from "../../src/domain/errors.js";
import type { CommandOptions, CommandResult, CommandRunner } from "../../src/ports/command-runner.js";

/** A minimal runner honouring timeouts, input, stdio and onOutput. */
export function createSpawnRunner(): CommandRunner {
  return {
    run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const child = spawn(command, [...args], {
          stdio: options.stdio === "inherit" ? "inherit" : ["pipe", "pipe", "pipe"],
          cwd: options.cwd,
          env: { ...process.env, ...options.env },
        });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 2000).unref();
        }, options.timeoutMs);
        const onAbort = () => child.kill("SIGTERM");
        options.signal?.addEventListener("abort", onAbort, { once: true });
        child.stdout?.on("data", (chunk: Buffer) => {
          const text = chunk.toString();
          stdout += text;
          options.onOutput?.("stdout", text);
        });
        child.stderr?.on("data", (chunk: Buffer) => {
          const text = chunk.toString();
          stderr += text;
          options.onOutput?.("stderr", text);
        });
        if (options.stdio !== "inherit") child.stdin?.end(options.input ?? "");
        child.on("error", (error) => {
          clearTimeout(timer);
          reject(new HostFailureError(`Could not start ${command}.`, error.message, { cause: error }));
        });
        child.on("close", (exitCode, signal) => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          if (timedOut) {
            reject(new TimeoutError(`${command} timed out.`, options.timeoutMs));
            return;
          }
          resolve({ command, args, exitCode, signal, stdout, stderr, timedOut, truncated: false, durationMs: Date.now() - started });
        });
      });
    },
  };
}
