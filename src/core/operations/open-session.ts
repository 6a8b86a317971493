/**
 * `openSession`: a streaming session in a workload (an SSH shell or command, SFTP, `voxnix ctl
 * shell` and `ctl exec`), run by the workload's runtime through its one interactive path
 * (`Runtime.attach`), the same confined path as `exec`, so the same isolation holds. Policy is the workload's: "not yours" is "not found", exactly as for
 * `exec`. The audit record stays open while the session runs and is written when it ends,
 * with its kind, transport, terminal or not, duration and exit status; never its input or
 * output, and never the command line (which may carry secrets).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { InvalidInputError, type InputIssue } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { SessionCommand } from "../../ports/runtime.js";
import type { Planned, Session, SessionRequest, SessionTransport } from "../api.js";
import { validateArgv, validateName } from "../inputs.js";
import type { ActivityKind } from "../../domain/idle.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import { stoppedForIdleness } from "../idle-timers.js";
import { startWorkload } from "./start-workload.js";

/** Longest session (a host command needs a deadline; a working day is enough for a shell). */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** Longest command line an exec session accepts (OpenSSH's own limit is higher; nobody types this much). */
export const SESSION_COMMAND_MAX = 64 * 1024;

const TRANSPORTS: ReadonlySet<SessionTransport> = new Set(["ssh", "web", "cli"]);

/** What a session counts as for the idle timer, by transport. */
const ACTIVITY: Readonly<Record<SessionTransport, ActivityKind>> = {
  ssh: "ssh session",
  web: "web terminal",
  cli: "exec",
};
const TERM = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

function validateCommand(command: unknown, issues: InputIssue[]): SessionCommand | undefined {
  const kind = (command as { kind?: unknown } | undefined)?.kind;
  if (kind === "shell" || kind === "sftp") return { kind };
  if (kind === "argv") {
    const argv = validateArgv((command as { argv?: unknown }).argv, issues, "command.argv");
    return argv === undefined ? undefined : { kind, argv };
  }
  if (kind === "exec") {
    const line = (command as { command?: unknown }).command;
    if (typeof line !== "string" || line.trim() === "" || line.includes("\0") || line.length > SESSION_COMMAND_MAX) {
      issues.push({ path: "command.command", message: `Give a command of 1 to ${SESSION_COMMAND_MAX} characters.` });
      return undefined;
    }
    return { kind, command: line };
  }
  issues.push({ path: "command.kind", message: "A session is a shell, a command line, a command as words or sftp." });
  return undefined;
}

function validTerminal(terminal: SessionRequest["terminal"]): SessionRequest["terminal"] {
  if (terminal === undefined) return undefined;
  const size = (value: unknown) =>
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000 ? (value as number) : undefined;
  const cols = size(terminal.cols) ?? 80;
  const rows = size(terminal.rows) ?? 24;
  // An odd terminal type is replaced, not refused: clients send whatever their TERM says.
  const term = typeof terminal.term === "string" && TERM.test(terminal.term) ? terminal.term : "xterm-256color";
  return { term, cols, rows };
}

/** Opens the session; the returned handle streams until the command ends or `close` is called. */
export function openSession(services: CoreServices, actor: Actor, request: SessionRequest): Promise<Session> {
  const { context } = services;
  // Read again when the audit record is written at the end of the session: the exit is added then.
  const args: Record<string, unknown> = {
    name: request?.name,
    kind: request?.command?.kind,
    via: request?.via,
    terminal: request?.terminal !== undefined,
  };
  return runOperation(services, {
    operation: "openSession",
    actor,
    args,
    validate: () => {
      const name = validateName(request?.name);
      const issues: InputIssue[] = [];
      const command = validateCommand(request?.command, issues);
      const terminal = validTerminal(request?.terminal);
      if (!TRANSPORTS.has(request?.via)) issues.push({ path: "via", message: "Unknown transport." });
      const timeoutMs = request?.timeoutMs ?? SESSION_MAX_MS;
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > SESSION_MAX_MS)
        issues.push({
          path: "timeoutMs",
          message: `The timeout must be between 1 ms and ${SESSION_MAX_MS / 3_600_000} hours.`,
        });
      if (issues.length > 0 || command === undefined) throw new InvalidInputError(issues);
      return { name, command, terminal, timeoutMs };
    },
    target: (input) => input.name,
    run: async ({ input, workload, detach }) => {
      // A workload the inactivity timer stopped comes back when its owner connects.
      if (stoppedForIdleness(context, workload!)) {
        request.onWake?.(`starting ${input.name}…`);
        await startWorkload(services, actor, input.name, "connect");
      }
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      const info = runtime.info();
      if (!runtime.attach || (input.terminal !== undefined && !info.capabilities.interactiveShell)) {
        throw new InvalidInputError([
          {
            path: "name",
            message: `The ${info.name} runtime cannot open ${input.terminal ? "terminal " : ""}sessions.`,
          },
        ]);
      }
      const running = await runtime.attach(workload!.spec.name, {
        command: input.command,
        timeoutMs: input.timeoutMs,
        ...(input.terminal === undefined ? {} : { terminal: input.terminal }),
      });
      const id = `ses_${randomBytes(6).toString("hex")}`;
      const kind = ACTIVITY[request.via];
      services.activity.record(input.name, kind);
      const settle = detach();
      void running.exit.then((exit) => {
        args.ref = id;
        args.exitCode = exit.exitCode;
        if (exit.signal !== null) args.signal = exit.signal;
        if (exit.timedOut) args.timedOut = true;
        settle(undefined);
      });
      // Members are named one by one: a runtime's process may be a class instance, whose methods a spread would drop.
      return {
        id,
        stdin: noteInput(running.stdin, () => services.activity.input(input.name, kind)),
        stdout: running.stdout,
        ...(running.stderr === undefined ? {} : { stderr: running.stderr }),
        resize: (size) => running.resize(size),
        close: () => running.close(),
        exit: running.exit,
      };
    },
  });
}

/** `stdin` as a stream that notes each write as activity (thinned out by the recorder) and passes it on unchanged. */
function noteInput(stdin: Writable, onInput: () => void): Writable {
  const noted = new Writable({
    write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void) {
      onInput();
      stdin.write(chunk, encoding, callback);
    },
    final(callback) {
      stdin.end(() => callback());
    },
    destroy(error, callback) {
      stdin.destroy(error ?? undefined);
      callback(error);
    },
  });
  stdin.on("error", (error) => noted.destroy(error));
  return noted;
}

/** How a session's command reads in a plan. */
function describeCommand(command: SessionCommand): string {
  switch (command.kind) {
    case "shell":
      return "a login shell";
    case "exec":
      return `the command line ${JSON.stringify(command.command)}`;
    case "argv":
      return command.argv.join(" ");
    case "sftp":
      return "its SFTP server";
  }
}

/**
 * The dry run of `openSession` (`ctl exec --dry-run`, `ctl shell --dry-run`): the same input,
 * ownership, state and capability checks as the session, nothing started or run.
 */
export function planOpenSession(
  services: CoreServices,
  actor: Actor,
  request: { readonly name: string; readonly command: SessionCommand },
): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "openSession",
    actor,
    args: { name: request?.name, kind: request?.command?.kind },
    dryRun: true,
    validate: () => {
      const name = validateName(request?.name);
      const issues: InputIssue[] = [];
      const command = validateCommand(request?.command, issues);
      if (issues.length > 0 || command === undefined) throw new InvalidInputError(issues);
      return { name, command };
    },
    target: (input) => input.name,
    run: async ({ input, workload }): Promise<Planned> => {
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      if (!runtime.attach)
        throw new InvalidInputError([
          { path: "name", message: `The ${runtime.info().name} runtime cannot open sessions.` },
        ]);
      const steps = [
        ...(stoppedForIdleness(context, workload!) ? [`start ${input.name} (stopped for idleness) first`] : []),
        `run ${describeCommand(input.command)} in ${input.name}`,
      ];
      return { type: "planned", plan: { operation: "openSession", workload: input.name, steps } };
    },
  });
}
