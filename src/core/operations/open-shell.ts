/**
 * `openShell`: an interactive login shell in a workload on a terminal, for the browser
 * terminal. It takes the same confined path as `exec` (the workload's runtime's `openTerminal`), is not
 * locked (an open shell must not block stop), and is bounded (`SHELL_MAX_MS`). Opening is
 * audited like any operation; closing adds a `closeShell` record with how long it was open
 * and how it ended. What is typed is never recorded.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { InvalidInputError, type InputIssue } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { ShellRequest, ShellSession } from "../api.js";
import { recordAudit } from "../audit.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import type { CoreServices } from "../services.js";
import { SHELL_MAX_MS } from "../web-sessions.js";

/** How much output a shell may produce before anyone listens (kept, then replayed). */
const EARLY_OUTPUT_BYTES = 64 * 1024;

const sizeIssue = (value: unknown, path: string, max: number): InputIssue[] =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max ? [] : [{ path, message: `${path} must be a whole number from 1 to ${max}.` }];

/** Opens a shell in the actor's workload `request.name`. */
export function openShell(services: CoreServices, actor: Actor, request: ShellRequest): Promise<ShellSession> {
  const { context } = services;
  const id = `sh_${randomBytes(6).toString("hex")}`;
  return runOperation(services, {
    operation: "openShell",
    actor,
    args: { name: request?.name, cols: request?.cols, rows: request?.rows, shell: id },
    validate: () => {
      const name = validateName(request?.name);
      const issues = [...sizeIssue(request.cols, "cols", 1000), ...sizeIssue(request.rows, "rows", 500)];
      if (issues.length > 0) throw new InvalidInputError(issues);
      return { name, size: { cols: request.cols, rows: request.rows } };
    },
    target: (input) => input.name,
    run: async ({ user, input, workload }) => {
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      if (!runtime.info().capabilities.interactiveShell) throw new InvalidInputError([{ path: "name", message: `The ${runtime.info().name} runtime has no interactive shell.` }]);
      const terminal = await runtime.openTerminal(workload!.spec.name, { size: input.size, timeoutMs: SHELL_MAX_MS });
      services.activity.record(input.name, "web terminal");
      const startedAt = context.deps.clock.now();
      const opened = performance.now();
      void terminal.exited.then(({ exitCode, timedOut }) => {
        context.deps.logger.info({ operation: "closeShell", actor: user.id, target: input.name, shell: id, exitCode, timedOut }, "shell closed");
        recordAudit(context, {
          actor: user.id,
          operation: "closeShell",
          target: input.name,
          args: { shell: id, exitCode, timedOut },
          durationMs: performance.now() - opened,
          startedAt,
        });
      });
      // The shell starts talking (its prompt) before the caller listens: keep that (bounded) and
      // hand it to the first listener.
      const early: string[] = [];
      let earlyBytes = 0;
      const listeners = new Set<(data: string) => void>();
      terminal.onData((data) => {
        if (listeners.size > 0) for (const listener of listeners) listener(data);
        else if (earlyBytes < EARLY_OUTPUT_BYTES) {
          early.push(data);
          earlyBytes += data.length;
        }
      });
      return {
        id,
        workload: input.name,
        write: (data) => {
          services.activity.input(input.name, "web terminal");
          terminal.write(data);
        },
        resize: (size) => {
          const issues = [...sizeIssue(size?.cols, "cols", 1000), ...sizeIssue(size?.rows, "rows", 500)];
          if (issues.length === 0) terminal.resize({ cols: size.cols, rows: size.rows });
        },
        onData: (listener) => {
          listeners.add(listener);
          for (const data of early.splice(0)) listener(data);
          return () => void listeners.delete(listener);
        },
        exited: terminal.exited.then(({ exitCode }) => ({ exitCode })),
        close: () => terminal.hangUp(),
      };
    },
  });
}
