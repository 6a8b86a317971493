/**
 * The real logger: pino, JSON lines on stderr (so stdout stays clean for `--json` output),
 * with secret-looking fields redacted to `***` at any of the first three nesting levels, and
 * the active OpenTelemetry trace and span ids on every line logged inside a span, so log lines
 * and traces of one request can be joined.
 *
 * @module
 */
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { pino, type DestinationStream, type Level } from "pino";
import type { Logger } from "../ports/logger.js";

/** Field names whose values are never logged. */
export const REDACTED_KEYS = [
  "token",
  "apiKey",
  "authKey",
  "secret",
  "password",
  "authorization",
  "telegramToken",
  "llmApiKey",
  "webhookSecret",
  "botToken",
  "privateKey",
] as const;

/** pino redaction paths for `REDACTED_KEYS` at the top level and two levels down. */
export const REDACT_PATHS: readonly string[] = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface CreateLoggerOptions {
  /** Minimum level (config `log.level`); `silent` logs nothing. */
  readonly level?: Level | "silent";
  /** Where lines go (default: stderr, written synchronously so nothing is lost at exit). */
  readonly destination?: DestinationStream;
  /** Fields on every line (e.g. `{ component: "telegram" }`). */
  readonly bindings?: Readonly<Record<string, unknown>>;
}

/**
 * Creates the process logger.
 *
 * @example
 * const logger = createLogger({ level: config.log.level });
 * logger.info({ workload: "dev" }, "job-start");
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid, ...options.bindings },
      redact: { paths: [...REDACT_PATHS], censor: "***" },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
    },
    destination,
  );
  return logger;
}

/** `trace_id` and `span_id` of the active span, when tracing is on and a span is active. */
export function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}
