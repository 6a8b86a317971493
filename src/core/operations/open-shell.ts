/**
 * `openShell`: an interactive login shell in a workload on a terminal, for the browser
 * terminal. It takes the same confined path as `exec` (the workload's runtime's `attach`), is not
 * locked (an open shell must not block stop), and is bounded (`SHELL_MAX_MS`). Opening is
 * audited like any operation; closing adds a `closeShell` record with how long it was open
 * and how it ended (`detached: true` when a dropped connection was not reattached within the
 * grace window, see `core/shells.ts`). What is typed is never recorded. A workload stopped
 * for idleness is started first (audited as a `start` with reason "connect"), like an SSH
 * connection does; the caller is told through `onWake`.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { InvalidInputError, type InputIssue } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { SHELL_MAX_MS, type ShellRequest, type ShellSession } from "../api.js";
import {
  generateResumeToken,
  MAX_REATTACH_MS,
  shellTerminal,
  type LiveShell,
  type ShellAttachment,
} from "../shells.js";
import { recordAudit } from "../audit.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import type { CoreServices } from "../services.js";
import { stoppedForIdleness } from "../idle-timers.js";
import { startWorkload } from "./start-workload.js";

export const sizeIssue = (value: unknown, path: string, max: number): InputIssue[] =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max
    ? []
    : [{ path, message: `${path} must be a whole number from 1 to ${max}.` }];

/** The caller's handle on a shell through one attachment; typing into it is activity for the idle timer. */
export function shellSession(
  services: CoreServices,
  shell: LiveShell,
  attachment: ShellAttachment,
  reattached: boolean,
): ShellSession {
  return {
    id: shell.id,
    workload: shell.workload,
    resumeToken: shell.resumeToken,
    reattached,
    write: (data) => {
      if (!attachment.current) return;
      services.activity.input(shell.workload, "web terminal");
      shell.terminal.write(data);
    },
    resize: (size) => {
      const issues = [...sizeIssue(size?.cols, "cols", 1000), ...sizeIssue(size?.rows, "rows", 500)];
      if (issues.length === 0 && attachment.current) shell.terminal.resize({ cols: size.cols, rows: size.rows });
    },
    onData: (listener) => attachment.onData(listener),
    exited: shell.ended,
    close: () => {
      if (attachment.current) shell.terminal.hangUp();
    },
    detach: () => attachment.detach(),
    onSuperseded: (listener) => attachment.onSuperseded(listener),
  };
}

/** Opens a shell in the actor's workload `request.name`. */
export function openShell(services: CoreServices, actor: Actor, request: ShellRequest): Promise<ShellSession> {
  const { context } = services;
  const id = `sh_${randomBytes(6).toString("hex")}`;
  return runOperation(services, {
    operation: "openShell",
    actor,
    args: {
      name: request?.name,
      cols: request?.cols,
      rows: request?.rows,
      shell: id,
      ...(request?.reattachMs ? { reattachMs: request.reattachMs } : {}),
    },
    validate: () => {
      const name = validateName(request?.name);
      const reattachMs = request.reattachMs ?? 0;
      const issues = [...sizeIssue(request.cols, "cols", 1000), ...sizeIssue(request.rows, "rows", 500)];
      if (!Number.isInteger(reattachMs) || reattachMs < 0 || reattachMs > MAX_REATTACH_MS)
        issues.push({ path: "reattachMs", message: `reattachMs must be a whole number from 0 to ${MAX_REATTACH_MS}.` });
      if (issues.length > 0) throw new InvalidInputError(issues);
      return { name, size: { cols: request.cols, rows: request.rows }, reattachMs };
    },
    target: (input) => input.name,
    run: async ({ user, input, workload }) => {
      // A workload the inactivity timer stopped comes back when its owner opens a terminal, as over SSH.
      if (stoppedForIdleness(context, workload!)) {
        request.onWake?.(`starting ${input.name}…`);
        await startWorkload(services, actor, input.name, "connect");
      }
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      if (!runtime.attach || !runtime.info().capabilities.interactiveShell)
        throw new InvalidInputError([
          { path: "name", message: `The ${runtime.info().name} runtime has no interactive shell.` },
        ]);
      const attached = await runtime.attach(workload!.spec.name, {
        command: { kind: "shell" },
        terminal: { term: "xterm-256color", ...input.size },
        timeoutMs: SHELL_MAX_MS,
      });
      services.activity.record(input.name, "web terminal");
      const startedAt = context.deps.clock.now();
      const opened = performance.now();
      const shell: LiveShell = {
        id,
        resumeToken: generateResumeToken(),
        userId: user.id,
        workload: input.name,
        terminal: shellTerminal(attached),
        ended: attached.exit.then(({ exitCode }) => ({ exitCode })),
        exited: false,
        expiredDetached: false,
      };
      const attachment = services.shells.open(shell, input.reattachMs);
      void attached.exit.then(({ exitCode, timedOut }) => {
        services.shells.exited(shell);
        const detached = shell.expiredDetached;
        context.deps.logger.info(
          { operation: "closeShell", actor: user.id, target: input.name, shell: id, exitCode, timedOut, detached },
          "shell closed",
        );
        recordAudit(context, {
          actor: user.id,
          operation: "closeShell",
          target: input.name,
          args: { shell: id, exitCode, timedOut, ...(detached ? { detached: true } : {}) },
          durationMs: performance.now() - opened,
          startedAt,
        });
      });
      return shellSession(services, shell, attachment, false);
    },
  });
}
