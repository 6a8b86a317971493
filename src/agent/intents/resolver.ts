/**
 * Resolves what a request left implicit: "it" and "that" become the workload just
 * discussed, a bare verb picks the only workload or the focus, and a missing create name is
 * asked for with a free suggestion.
 *
 * @module
 */
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import { ConflictError, VoxnixError } from "../../domain/errors.js";
import { describeNameProblem } from "../../domain/names.js";
import type { Target, WorkloadVerb } from "./types.js";
import { VERB_PHRASES } from "./wording.js";

/** A resolved workload name, or the question to ask instead. */
export type Resolution =
  { readonly kind: "name"; readonly name: string } | { readonly kind: "ask"; readonly text: string };

/**
 * Picks the workload a request is about. `focus` is the workload just discussed; `names`
 * are the person's own workloads (for a restore, the destroyed one is usually the focus).
 */
export function resolveTarget(
  verb: WorkloadVerb,
  target: Target,
  focus: string | undefined,
  names: readonly string[],
): Resolution {
  const which = () =>
    names.length === 0
      ? {
          kind: "ask" as const,
          text:
            verb === "restore"
              ? `Which container should I restore? For example: restore web`
              : 'You have no containers yet. Try: "create a container called dev with git".',
        }
      : { kind: "ask" as const, text: `Which one should I ${VERB_PHRASES[verb]}? You have: ${names.join(", ")}.` };
  switch (target.kind) {
    case "named":
      return { kind: "name", name: target.name };
    case "unknown":
      // The word in the name slot ("stop ghost") is not one of theirs: the core answers, for
      // the actor only, that there is no such container (or restores a destroyed one).
      return { kind: "name", name: target.name };
    case "all":
      return names.length === 1
        ? { kind: "name", name: names[0]! }
        : { kind: "ask", text: `I do that one container at a time. ${which().text}` };
    case "reference":
    case "none":
      if (focus !== undefined && (verb === "restore" || names.includes(focus))) return { kind: "name", name: focus };
      if (verb !== "restore" && names.length === 1) return { kind: "name", name: names[0]! };
      return which();
  }
}

/**
 * Suggests a name the person does not use and the core would accept: `dev-1`, `dev-2`, …
 * checked against their own list and, through `planCreate`, against everyone's names
 * (the core answers "name taken" without revealing whose it is).
 */
export async function suggestFreeName(
  core: Core,
  actor: Actor,
  ownNames: readonly string[],
  base = "dev",
): Promise<string> {
  const stem = describeNameProblem(`${base}-1`) === undefined ? base : "dev";
  for (let index = ownNames.length + 1; index < ownNames.length + 30; index += 1) {
    const candidate = `${stem}-${index}`;
    if (ownNames.includes(candidate)) continue;
    try {
      await core.plan(actor, { operation: "create", input: { name: candidate, modules: [] } });
      return candidate;
    } catch (error) {
      if (error instanceof ConflictError && error.reason === "name-taken") continue;
      // Quota or policy problems are reported when the real create runs; the name itself is free.
      if (VoxnixError.isInstance(error) || error instanceof Error) return candidate;
      return candidate;
    }
  }
  return `${stem}-${ownNames.length + 30}`;
}
