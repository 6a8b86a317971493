/**
 * Reading a change of an existing workload: "add code-server to dev", "install git on it",
 * "remove fish from dev", "give web 2 CPUs", "more memory for api". Only the person's own
 * workloads (or "it") are targets; a negated request ("don't add fish") is never a change.
 * "More"/"less" are kept as words: the engine turns them into numbers from the current spec
 * and says which step it took.
 *
 * @module
 */
import type { Clause } from "./clauses.js";
import type { ParseContext } from "./parse.js";
import type { ChangeIntent, Target } from "./types.js";
import { findModules } from "./modules.js";
import { isNegated } from "./polarity.js";

const ADD_VERBS = new Set(["add", "install", "put", "enable", "give", "include", "attach"]);
const REMOVE_VERBS = new Set(["remove", "uninstall", "drop", "delete", "disable", "take"]);
const RESIZE_VERBS = new Set(["give", "set", "make", "bump", "raise", "increase", "resize", "change", "upgrade", "scale", "more", "less", "reduce", "lower", "decrease", "need", "want", "up"]);
const CPU_WORDS = new Set(["cpu", "cpus", "core", "cores", "vcpu", "vcpus", "processor", "processors"]);
const MEMORY_WORDS = new Set(["memory", "ram", "mem"]);
const REFERENCES = new Set(["it", "that", "this"]);
const SIZE = /^(\d+(?:\.\d+)?)(k|m|g|t|kb|mb|gb|tb|kib|mib|gib|tib|gigs?|megs?)$/;
const UNITS = new Set(["k", "m", "g", "t", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "gig", "gigs", "meg", "megs"]);

function target(tokens: readonly string[], knownNames: readonly string[]): Target | undefined {
  const named = tokens.find((token) => knownNames.includes(token));
  if (named !== undefined) return { kind: "named", name: named };
  if (tokens.some((token) => REFERENCES.has(token))) return { kind: "reference" };
  return undefined;
}

function unit(value: string): string {
  const letter = value[0]!.toUpperCase();
  return letter === "K" || letter === "M" || letter === "G" || letter === "T" ? letter : "G";
}

/** Reads a change request, or undefined when the clause is not one. */
export function parseChange(clause: Clause, context: ParseContext): ChangeIntent | undefined {
  const { tokens } = clause;
  const verbAt = tokens.findIndex((token) => ADD_VERBS.has(token) || REMOVE_VERBS.has(token) || RESIZE_VERBS.has(token));
  const cpuAt = tokens.findIndex((token) => CPU_WORDS.has(token));
  const memoryAt = tokens.findIndex((token) => MEMORY_WORDS.has(token));
  const modules = findModules(tokens, context.catalogNames).map((mention) => mention.module);
  if (verbAt < 0 && cpuAt < 0 && memoryAt < 0) return undefined;
  if (modules.length === 0 && cpuAt < 0 && memoryAt < 0) return undefined;
  const where = target(tokens, context.knownNames);
  if (where === undefined) return undefined;
  // A workload named after a module ("fish") is the target, not a module.
  const moduleList = modules.filter((module) => !(where.kind === "named" && where.name === module));
  const removing = verbAt >= 0 && REMOVE_VERBS.has(tokens[verbAt]!) && !(tokens[verbAt] === "take" && !tokens.includes("off") && !tokens.includes("out"));
  const change: { addModules: string[]; removeModules: string[]; cpus?: number | "more" | "less"; memory?: string } = { addModules: [], removeModules: [] };
  if (removing) change.removeModules.push(...moduleList);
  else if (verbAt >= 0 || tokens.includes("with")) change.addModules.push(...moduleList);
  const fewer = tokens.some((token) => token === "less" || token === "fewer" || token === "reduce" || token === "lower" || token === "decrease");
  if (cpuAt >= 0) {
    const number = [tokens[cpuAt - 1], tokens[cpuAt + 1] === "to" ? tokens[cpuAt + 2] : undefined, tokens[cpuAt - 2]].map((token) => (token === undefined ? NaN : Number(token))).find((value) => Number.isFinite(value) && value > 0);
    change.cpus = number ?? (fewer ? "less" : "more");
  }
  if (memoryAt >= 0) {
    let size: string | undefined;
    for (let index = 0; index < tokens.length && size === undefined; index += 1) {
      const token = tokens[index]!;
      const joined = SIZE.exec(token);
      if (joined) size = `${joined[1]}${unit(joined[2]!)}`;
      else if (/^\d+(\.\d+)?$/.test(token) && UNITS.has(tokens[index + 1] ?? "")) size = `${token}${unit(tokens[index + 1]!)}`;
    }
    change.memory = size ?? (fewer ? "less" : "more");
  }
  if (change.addModules.length === 0 && change.removeModules.length === 0 && change.cpus === undefined && change.memory === undefined) return undefined;
  const negated = isNegated(clause, verbAt >= 0 ? verbAt : Math.max(0, Math.min(...[cpuAt, memoryAt].filter((index) => index >= 0))));
  return { type: "change", target: where, ...change, negated };
}
