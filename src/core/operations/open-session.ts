/**
 * `openSession`: a streaming session in a workload (an SSH shell or command, SFTP, a browser
 * terminal), run by the backend through the same confined exec path as `exec`, so the same
 * isolation holds. Policy is the workload's: "not yours" is "not found", exactly as for
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
import type { Session, SessionRequest, SessionTransport } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import { stoppedForIdleness } from "../idle-timers.js";
import { startWorkload } from "./start-workload.js";

/** Longest session (a host command needs a deadline; a working day is enough for a shell). */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** Longest command line an exec session accepts (OpenSSH's own limit is higher; nobody types this much). */
export const SESSION_COMMAND_MAX = 64 * 1024;

const TRANSPORTS: ReadonlySet<SessionTransport> = new Set(["ssh", "web"]);
const TERM = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

function validateCommand(command: unknown, issues: InputIssue[]): SessionCommand | undefined {
  const kind = (command as { kind?: unknown } | undefined)?.kind;
  if (kind === "shell" || kind === "sftp") return { kind };
  if (kind === "exec") {
    const line = (command as { command?: unknown }).command;
    if (typeof line !== "string" || line.trim() === "" || line.includes("\0") || line.length > SESSION_COMMAND_MAX) {
      issues.push({ path: "command.command", message: `Give a command of 1 to ${SESSION_COMMAND_MAX} characters.` });
      return undefined;
    }
    return { kind, command: line };
  }
  issues.push({ path: "command.kind", message: "A session is a shell, a command or sftp." });
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
      if (issues.length > 0 || command === undefined) throw new InvalidInputError(issues);
      return { name, command, terminal };
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
      if (!runtime.openSession || (input.terminal !== undefined && !info.capabilities.interactiveShell)) {
        throw new InvalidInputError([
          {
            path: "name",
            message: `The ${info.name} runtime cannot open ${input.terminal ? "terminal " : ""}sessions.`,
          },
        ]);
      }
      const running = await runtime.openSession(workload!.spec.name, {
        command: input.command,
        timeoutMs: SESSION_MAX_MS,
        ...(input.terminal === undefined ? {} : { terminal: input.terminal }),
      });
      const id = `ses_${randomBytes(6).toString("hex")}`;
      const kind = request.via === "web" ? "web terminal" : "ssh session";
      services.activity.record(input.name, kind);
      const settle = detach();
      void running.exit.then((exit) => {
        args.ref = id;
        args.exitCode = exit.exitCode;
        if (exit.signal !== null) args.signal = exit.signal;
        if (exit.timedOut) args.timedOut = true;
        settle(undefined);
      });
      return { ...running, id, stdin: noteInput(running.stdin, () => services.activity.input(input.name, kind)) };
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
