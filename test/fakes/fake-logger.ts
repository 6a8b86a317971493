/**
 * A logger that records every entry, so tests can assert on warnings and on the absence of secrets.
 *
 * @module
 */
import type { LogFn, Logger } from "../../src/ports/logger.js";

/** One recorded log entry. */
export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/** A recording logger; children share their parent's record list and add their bindings. */
export class FakeLogger implements Logger {
  readonly records: LogRecord[];
  readonly #bindings: Readonly<Record<string, unknown>>;

  constructor(records: LogRecord[] = [], bindings: Readonly<Record<string, unknown>> = {}) {
    this.records = records;
    this.#bindings = bindings;
  }

  debug: LogFn = this.#log("debug");
  info: LogFn = this.#log("info");
  warn: LogFn = this.#log("warn");
  error: LogFn = this.#log("error");

  child(bindings: Readonly<Record<string, unknown>>): Logger {
    return new FakeLogger(this.records, { ...this.#bindings, ...bindings });
  }

  #log(level: LogRecord["level"]): LogFn {
    return (first: Readonly<Record<string, unknown>> | string, second?: string) => {
      if (typeof first === "string") this.records.push({ level, fields: this.#bindings, message: first });
      else this.records.push({ level, fields: { ...this.#bindings, ...first }, message: second ?? "" });
    };
  }
}
