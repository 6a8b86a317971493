/**
 * `exec`: run a command (argv, never a shell string) inside a workload and capture its output,
 * default timeout 60 s. Streaming and terminals go through `openSession` (`Runtime.attach`).
 *
 * @module
 */
import { InvalidInputError, type InputIssue } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { CommandResult } from "../../ports/command-runner.js";
import { EXEC_TIMEOUT, type ExecRequest } from "../api.js";
import { validateArgv, validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** Runs `request.argv` in the actor's workload. Not locked: a long shell must not block stop. */
export function execCommand(services: CoreServices, actor: Actor, request: ExecRequest): Promise<CommandResult> {
  const { context } = services;
  return runOperation(services, {
    operation: "exec",
    actor,
    args: { name: request?.name, argv: request?.argv },
    validate: () => {
      const name = validateName(request?.name);
      const issues: InputIssue[] = [];
      const argv = validateArgv(request.argv, issues);
      const timeoutMs = request.timeoutMs ?? EXEC_TIMEOUT.defaultMs;
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > EXEC_TIMEOUT.maxMs) {
        issues.push({
          path: "timeoutMs",
          message: `The timeout must be between 1 ms and ${EXEC_TIMEOUT.maxMs / 60_000} minutes.`,
        });
      }
      if (issues.length > 0 || argv === undefined) throw new InvalidInputError(issues);
      return { name, argv, timeoutMs };
    },
    target: (input) => input.name,
    run: async ({ input, workload }) => {
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      services.activity.record(input.name, "exec");
      return runtime.exec(workload!.spec.name, input.argv, { timeoutMs: input.timeoutMs });
    },
  });
}
