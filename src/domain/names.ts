/**
 * Workload names: the one identifier a person types for a container or VM.
 *
 * NixOS derives host interface names `ve-<name>` / `vb-<name>` from it, and Linux caps
 * interface names at 15 bytes, so a name is at most 11 characters.
 *
 * @module
 */
import { z } from "zod";

/** Longest accepted workload name (15-byte interface name minus the `ve-` prefix and slack NixOS keeps). */
export const MAX_WORKLOAD_NAME_LENGTH = 11;

/**
 * Names no one may take: they collide with host units, tools or words the chat layer treats specially.
 */
export const RESERVED_WORKLOAD_NAMES: ReadonlySet<string> = new Set([
  "host",
  "root",
  "admin",
  "all",
  "none",
  "local",
  "self",
  "voxnix",
  "nixos",
  "container",
  "machine",
  "default",
  "it",
  "this",
  "that",
]);

// `^…$` without the `m` flag anchors at the true ends of the string in JavaScript, so "dev\n" fails.
const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A validated workload name. The brand keeps unvalidated strings out of backend calls. */
export type WorkloadName = string & { readonly __brand: "WorkloadName" };

/** Zod schema for a workload name, with one message per rule so people know what to change. */
export const workloadNameSchema = z
  .string({ error: "A workload name is required." })
  .superRefine((value, context) => {
    const problem = describeNameProblem(value);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => value as WorkloadName);

/** Explains why `value` is not a usable workload name, or returns `undefined` when it is fine. */
export function describeNameProblem(value: string): string | undefined {
  if (value.length === 0) return "The name must not be empty.";
  if (value.length > MAX_WORKLOAD_NAME_LENGTH) {
    return `The name "${printable(value)}" is ${value.length} characters long; use at most ${MAX_WORKLOAD_NAME_LENGTH} (host network interfaces are named after it).`;
  }
  if (!NAME_PATTERN.test(value)) {
    return `The name "${printable(value)}" is not valid: use lowercase letters, digits and hyphens, starting and ending with a letter or digit (for example "my-dev").`;
  }
  if (RESERVED_WORKLOAD_NAMES.has(value)) return `The name "${value}" is reserved; pick another one.`;
  return undefined;
}

/** Returns true when `value` is a valid workload name. */
export function isWorkloadName(value: unknown): value is WorkloadName {
  return typeof value === "string" && describeNameProblem(value) === undefined;
}

/** Parses a workload name, throwing the zod error on failure. Prefer the core's validation in adapters. */
export function parseWorkloadName(value: string): WorkloadName {
  return workloadNameSchema.parse(value);
}

// Error messages echo user input; escape control characters so a message stays on one line.
function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
