/**
 * A plain summary of what a turn did, used when the model produced no text or stopped
 * half-way (the operations it already performed are reported rather than repeated).
 *
 * @module
 */
import type { Turn } from "./turn.js";

/** One line per recorded operation. */
export function summariseTurn(turn: Turn): string {
  if (turn.operations.length === 0) return "Done.";
  const lines = turn.operations.map((record) => {
    const name = typeof record.input.name === "string" ? ` ${record.input.name}` : "";
    if (record.outcome === "ok") return `${record.operation}${name}: done.`;
    if (record.outcome === "needs-confirmation") return `${record.operation}${name}: waiting for your confirmation.`;
    return `${record.operation}${name}: failed (${record.error?.message ?? "unknown error"}).`;
  });
  return lines.join("\n");
}
