/**
 * Human rendering primitives for the CLI: aligned tables, key/value blocks, and the one error
 * line ("error: <what was wrong>. <what to do>"). `--json` output does not pass through here.
 *
 * @module
 */
import { VoxnixError, type AnyVoxnixError } from "../../domain/errors.js";
import { errorKindOf, type CliErrorKind } from "./exit-codes.js";

/** Renders rows as an aligned table with a header line; an empty table renders `empty` instead. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  empty = "(none)",
): string[] {
  if (rows.length === 0) return [empty];
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...rows.map(line)];
}

/** Renders `key: value` lines with aligned values; undefined values are left out. */
export function renderKeyValue(pairs: readonly (readonly [string, string | number | boolean | undefined])[]): string[] {
  const present = pairs.filter((pair): pair is readonly [string, string | number | boolean] => pair[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length));
  return present.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${String(value)}`);
}

/** Formats a date for people (UTC, minutes). */
export function formatTime(date: Date | string | undefined): string {
  if (date === undefined) return "-";
  const value = typeof date === "string" ? new Date(date) : date;
  return Number.isNaN(value.getTime()) ? String(date) : `${value.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** What to do next, per kind, when the message itself does not say. */
const HINTS: Partial<Record<CliErrorKind, string>> = {
  "not-found": "Run `voxnix ctl list` to see your workloads.",
  "host-failure": "Run `voxnix doctor` to check the host.",
  timeout: "Try again; if it keeps happening, run `voxnix doctor`.",
  quota: "Destroy a workload, or ask an admin to raise your limits (`voxnix users limits`).",
  config: "Fix the configuration (see docs/configuration.md) and try again.",
  internal: "This is a bug in voxnix; run again with VOXNIX_LOG_LEVEL=debug and report it.",
};

/** The error lines for stderr: one line saying what was wrong and what to do, plus indented details where they help. */
export function renderError(error: unknown): string[] {
  const kind = errorKindOf(error);
  const message = ensureSentence(error instanceof Error ? error.message : String(error));
  const hint = HINTS[kind];
  const lines = [`error: ${message}${hint && !message.includes("`voxnix") ? ` ${hint}` : ""}`];
  if (VoxnixError.isInstance(error)) lines.push(...details(error));
  return lines;
}

function details(error: AnyVoxnixError): string[] {
  switch (error.kind) {
    case "invalid-input":
      return error.issues.length > 1
        ? error.issues.map((issue) => `  - ${issue.path ? `${issue.path}: ` : ""}${issue.message}`)
        : [];
    case "host-failure":
      return error.detail ? tail(error.detail, 6).map((line) => `  | ${line}`) : [];
    default:
      return [];
  }
}

function tail(text: string, count: number): string[] {
  return text.trimEnd().split("\n").slice(-count);
}

function ensureSentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, " ");
  if (trimmed === "") return "Something went wrong.";
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
