/**
 * The logging port: structured, leveled, `(fields, message)`. pino's logger satisfies it;
 * tests pass `silentLogger` or a recording fake.
 *
 * @module
 */
export interface LogFn {
  (fields: Readonly<Record<string, unknown>>, message: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Readonly<Record<string, unknown>>): Logger;
}

const noop = (() => undefined) as LogFn;

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
