/**
 * `exec`: run a command (argv, never a shell string) inside a workload, default timeout 60 s.
 *
 * @module
 */
import { InvalidInputError, type InputIssue } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type { ExecRequest } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** Default and maximum exec timeouts, in milliseconds. */
export const EXEC_TIMEOUT = { defaultMs: 60_000, maxMs: 3_600_000 } as const;

/** Runs `request.argv` in the actor's workload. Not locked: a long shell must not block stop. */
export function execCommand(services: CoreServices, actor: Actor, request: ExecRequest): Promise<CommandResult> {
  const { context } = services;
  return runOperation(services, {
    operation: "exec",
    actor,
    args: { name: request?.name, argv: request?.argv, interactive: request?.interactive },
    validate: () => {
      const name = validateName(request?.name);
      const issues: InputIssue[] = [];
      const argv = request.argv;
      if (
        !Array.isArray(argv) ||
        argv.length === 0 ||
        argv.some((part) => typeof part !== "string" || part.includes("\0"))
      ) {
        issues.push({ path: "argv", message: "Give the command as a non-empty list of words." });
      } else if (argv[0] === "") {
        issues.push({ path: "argv.0", message: "The program name must not be empty." });
      }
      const timeoutMs = request.timeoutMs ?? EXEC_TIMEOUT.defaultMs;
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > EXEC_TIMEOUT.maxMs) {
        issues.push({
          path: "timeoutMs",
          message: `The timeout must be between 1 ms and ${EXEC_TIMEOUT.maxMs / 60_000} minutes.`,
        });
      }
      if (issues.length > 0) throw new InvalidInputError(issues);
      return { name, argv, timeoutMs };
    },
    target: (input) => input.name,
    run: async ({ input, workload }) => {
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      if (request.interactive && !runtime.info().capabilities.interactiveShell) {
        throw new InvalidInputError([
          { path: "interactive", message: `The ${runtime.info().name} runtime has no interactive shell.` },
        ]);
      }
      services.activity.record(input.name, "exec");
      return runtime.exec(workload!.spec.name, input.argv, {
        timeoutMs: input.timeoutMs,
        stdio: request.interactive ? "inherit" : "pipe",
      });
    },
  });
}
