/**
 * The real `CommandRunner`, over execa: argv arrays only (never a shell), a timeout on every
 * call (SIGTERM, then SIGKILL after a grace period), cancellation, bounded output capture,
 * streaming to a callback, and secret redaction in everything logged or thrown. Each call is
 * one debug log line and one OpenTelemetry span.
 *
 * @module
 */
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { HostFailureError, TimeoutError } from "../domain/errors.js";
import type { CommandOptions, CommandResult, CommandRunner } from "../ports/command-runner.js";
import { silentLogger, type Logger } from "../ports/logger.js";

/** Default bound on captured stdout and on captured stderr. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Default time between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 5000;

export interface CommandRunnerOptions {
  readonly logger?: Logger;
  /** The environment every command starts with (default: this process's environment). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** How long a process gets after SIGTERM before SIGKILL (default 5 s). */
  readonly killGraceMs?: number;
  /** Values redacted from every call's logs and errors, in addition to each call's own `secrets`. */
  readonly secrets?: readonly string[];
}

const tracer = trace.getTracer("voxnix.host");

// execa is loaded on the first command, not at start-up: the CLI's read commands often run none.
let execaModule: Promise<typeof import("execa")> | undefined;
const loadExeca = () => (execaModule ??= import("execa"));

/**
 * Creates the runner backends use for every host program.
 *
 * @example
 * const runner = createCommandRunner({ logger });
 * const result = await runner.run("machinectl", ["list", "--output=json"], { timeoutMs: 10_000 });
 */
export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const logger = options.logger ?? silentLogger;
  const baseEnv = options.baseEnv ?? process.env;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const runnerSecrets = options.secrets ?? [];

  return {
    run(command, args, callOptions) {
      const secrets = [...runnerSecrets, ...(callOptions.secrets ?? [])];
      const redact = (text: string) => redactSecrets(text, secrets);
      const shownArgs = args.map(redact);
      return tracer.startActiveSpan(
        `command ${command}`,
        { attributes: { "process.executable.name": command, "process.command_args": [command, ...shownArgs] } },
        async (span) => {
          try {
            const result = await runOnce(command, args, callOptions, { baseEnv, killGraceMs, redact });
            span.setAttribute("process.exit.code", result.exitCode ?? -1);
            if (result.signal) span.setAttribute("process.signal", result.signal);
            if (result.exitCode !== 0)
              span.setStatus({ code: SpanStatusCode.ERROR, message: `exit ${result.exitCode ?? result.signal}` });
            logger.debug(
              {
                command,
                args: shownArgs,
                exitCode: result.exitCode,
                signal: result.signal,
                durationMs: result.durationMs,
                truncated: result.truncated,
              },
              "command-end",
            );
            if (result.timedOut)
              throw new TimeoutError(
                `"${command}" did not finish within ${formatDuration(callOptions.timeoutMs)} and was stopped.`,
                callOptions.timeoutMs,
              );
            return result;
          } catch (error) {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: error instanceof Error ? error.message : String(error),
            });
            if (error instanceof HostFailureError)
              logger.debug({ command, args: shownArgs, error: error.message }, "command-error");
            else if (error instanceof TimeoutError)
              logger.warn({ command, args: shownArgs, timeoutMs: callOptions.timeoutMs }, "command-timeout");
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
  };
}

interface RunContext {
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly killGraceMs: number;
  readonly redact: (text: string) => string;
}

async function runOnce(
  command: string,
  args: readonly string[],
  options: CommandOptions,
  context: RunContext,
): Promise<CommandResult> {
  if (!(options.timeoutMs > 0)) throw new RangeError(`runner.run("${command}"): timeoutMs must be a positive number.`);
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const { execa } = await loadExeca();
  const started = performance.now();
  const subprocess = execa(command, [...args], {
    shell: false,
    reject: false,
    timeout: options.timeoutMs,
    killSignal: "SIGTERM",
    forceKillAfterDelay: context.killGraceMs,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: options.isolatedEnv === true ? { ...options.env } : { ...context.baseEnv, ...options.env },
    extendEnv: false,
    stdin: options.input === undefined ? ("ignore" as const) : ("pipe" as const),
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    buffer: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });

  const stdout = capture(subprocess.stdout, maxBytes, (chunk) => options.onOutput?.("stdout", chunk));
  const stderr = capture(subprocess.stderr, maxBytes, (chunk) => options.onOutput?.("stderr", chunk));
  const result = await subprocess;
  const durationMs = Math.round(performance.now() - started);

  const startError = spawnFailure(result);
  if (startError !== undefined) {
    const reason =
      startError === "EACCES"
        ? "permission denied"
        : startError === "ENOENT"
          ? "it is not installed or not on PATH"
          : startError;
    throw new HostFailureError(`Cannot run "${command}": ${reason}.`, context.redact(result.message ?? ""), {
      cause: result.cause,
    });
  }

  return {
    command,
    args: [...args],
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: stdout.text(),
    stderr: stderr.text(),
    timedOut: result.timedOut,
    truncated: stdout.truncated() || stderr.truncated(),
    durationMs,
  };
}

/** The errno code when the process never started (missing binary, not executable), else undefined. */
function spawnFailure(result: {
  readonly failed: boolean;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly cause?: unknown;
}): string | undefined {
  if (!result.failed || result.exitCode !== undefined || result.signal !== undefined) return undefined;
  const code = (result.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : undefined;
}

interface Capture {
  text(): string;
  truncated(): boolean;
}

/** Keeps the first `maxBytes` of a stream and keeps draining the rest, so a chatty process never blocks on a full pipe. */
function capture(stream: Readable | null, maxBytes: number, onChunk: (chunk: string) => void): Capture {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  const decoder = new StringDecoder("utf8");
  stream?.on("data", (data: Buffer | string) => {
    const buffer = typeof data === "string" ? Buffer.from(data) : data;
    const text = decoder.write(buffer);
    if (text !== "") safely(() => onChunk(text));
    if (kept >= maxBytes) {
      dropped ||= buffer.length > 0;
      return;
    }
    const room = maxBytes - kept;
    if (buffer.length > room) dropped = true;
    const slice = buffer.length > room ? buffer.subarray(0, room) : buffer;
    chunks.push(slice);
    kept += slice.length;
  });
  return {
    text: () => Buffer.concat(chunks).toString("utf8"),
    truncated: () => dropped,
  };
}

// A progress callback that throws must not break the command it observes.
function safely(work: () => void): void {
  try {
    work();
  } catch {
    /* ignored on purpose */
  }
}

/** Replaces every occurrence of each non-empty secret in `text` with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join("***");
  }
  return result;
}

function formatDuration(milliseconds: number): string {
  return milliseconds >= 1000 && milliseconds % 1000 === 0 ? `${milliseconds / 1000} s` : `${milliseconds} ms`;
}
