/**
 * Reading a change of an existing workload: "add code-server to dev", "install git on it",
 * "remove fish from dev", "give web 2 CPUs", "more memory for api". Only the person's own
 * workloads (or "it") are targets; a negated request ("don't add fish") is never a change.
 * "More"/"less" are kept as words: the engine turns them into numbers from the current spec
 * and says which step it took. The workspace's size ("grow dev's workspace to 20G", "give web
 * more disk") is a change too; "workspace" is then the disk, not the module of that name.
 *
 * @module
 */
import type { Clause } from "./clauses.js";
import type { ParseContext } from "./parse.js";
import type { ChangeIntent, Target } from "./types.js";
import { findModules } from "./modules.js";
import { isNegated, isQuestion } from "./polarity.js";

const ADD_VERBS = new Set(["add", "install", "put", "enable", "give", "include", "attach"]);
const REMOVE_VERBS = new Set(["remove", "uninstall", "drop", "delete", "disable", "take"]);
const RESIZE_VERBS = new Set([
  "give",
  "set",
  "make",
  "bump",
  "raise",
  "increase",
  "resize",
  "change",
  "upgrade",
  "scale",
  "more",
  "less",
  "reduce",
  "lower",
  "decrease",
  "need",
  "want",
  "up",
  "grow",
  "expand",
  "enlarge",
  "extend",
  "shrink",
  "bigger",
  "larger",
  "smaller",
]);
const CPU_WORDS = new Set(["cpu", "cpus", "core", "cores", "vcpu", "vcpus", "processor", "processors"]);
const MEMORY_WORDS = new Set(["memory", "ram", "mem"]);
/** Words that always mean the workspace's disk; "workspace" itself only with a size or a grow/shrink word. */
const DISK_WORDS = new Set(["disk", "disks", "storage", "space", "volume", "quota"]);
const SIZE_CHANGE_WORDS = new Set([
  "more",
  "less",
  "bigger",
  "larger",
  "smaller",
  "grow",
  "expand",
  "enlarge",
  "extend",
  "shrink",
  "resize",
  "increase",
  "decrease",
  "reduce",
  "raise",
  "bump",
]);
const FEWER_WORDS = new Set(["less", "fewer", "reduce", "lower", "decrease", "shrink", "smaller"]);
const REFERENCES = new Set(["it", "its", "that", "this"]);
const SIZE = /^(\d+(?:\.\d+)?)(k|m|g|t|kb|mb|gb|tb|kib|mib|gib|tib|gigs?|megs?)$/;
const UNITS = new Set([
  "k",
  "m",
  "g",
  "t",
  "kb",
  "mb",
  "gb",
  "tb",
  "kib",
  "mib",
  "gib",
  "tib",
  "gig",
  "gigs",
  "meg",
  "megs",
]);

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

/** Every size in the tokens ("20g", "20 gb", "30 gigs") with the index of its number. */
function sizesIn(tokens: readonly string[]): { at: number; size: string }[] {
  const found: { at: number; size: string }[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const joined = SIZE.exec(token);
    if (joined) found.push({ at: index, size: `${joined[1]}${unit(joined[2]!)}` });
    else if (/^\d+(\.\d+)?$/.test(token) && UNITS.has(tokens[index + 1] ?? ""))
      found.push({ at: index, size: `${token}${unit(tokens[index + 1]!)}` });
  }
  return found;
}

/** The size nearest to the word at `at` (memory or disk), leaving out one already taken. */
function nearestSize(
  sizes: readonly { at: number; size: string }[],
  at: number,
  taken?: number,
): { at: number; size: string } | undefined {
  return sizes.filter((entry) => entry.at !== taken).sort((a, b) => Math.abs(a.at - at) - Math.abs(b.at - at))[0];
}

/** Where the clause names the workspace's disk, or -1: a disk word, or "workspace" with a size or a grow/shrink word. */
function diskIndex(tokens: readonly string[], hasSize: boolean): number {
  const disk = tokens.findIndex((token) => DISK_WORDS.has(token));
  if (disk >= 0) return disk;
  const workspace = tokens.findIndex((token) => token === "workspace" || token === "workspaces");
  return workspace >= 0 && (hasSize || tokens.some((token) => SIZE_CHANGE_WORDS.has(token))) ? workspace : -1;
}

/** Reads a change request, or undefined when the clause is not one. */
export function parseChange(clause: Clause, context: ParseContext): ChangeIntent | undefined {
  const { tokens } = clause;
  const verbAt = tokens.findIndex(
    (token) => ADD_VERBS.has(token) || REMOVE_VERBS.has(token) || RESIZE_VERBS.has(token),
  );
  const cpuAt = tokens.findIndex((token) => CPU_WORDS.has(token));
  const memoryAt = tokens.findIndex((token) => MEMORY_WORDS.has(token));
  const sizes = sizesIn(tokens);
  // The disk counts only in a request with a verb ("give web more disk"): "how much disk does
  // web use" and "does web need more disk?" are questions, and a resize needs no confirmation.
  const diskAt = verbAt >= 0 && !isQuestion(clause) ? diskIndex(tokens, sizes.length > 0) : -1;
  const modules = findModules(tokens, context.catalogNames)
    .map((mention) => mention.module)
    .filter((module) => diskAt < 0 || module !== "workspace");
  if (verbAt < 0 && cpuAt < 0 && memoryAt < 0) return undefined;
  if (modules.length === 0 && cpuAt < 0 && memoryAt < 0 && diskAt < 0) return undefined;
  const where = target(tokens, context.knownNames);
  if (where === undefined) return undefined;
  // A workload named after a module ("fish") is the target, not a module.
  const moduleList = modules.filter((module) => !(where.kind === "named" && where.name === module));
  const removing =
    verbAt >= 0 &&
    REMOVE_VERBS.has(tokens[verbAt]!) &&
    !(tokens[verbAt] === "take" && !tokens.includes("off") && !tokens.includes("out"));
  const change: {
    addModules: string[];
    removeModules: string[];
    cpus?: number | "more" | "less";
    memory?: string;
    workspaceSize?: string;
  } = { addModules: [], removeModules: [] };
  if (removing) change.removeModules.push(...moduleList);
  else if (verbAt >= 0 || tokens.includes("with")) change.addModules.push(...moduleList);
  const fewer = tokens.some((token) => FEWER_WORDS.has(token));
  if (cpuAt >= 0) {
    const number = [tokens[cpuAt - 1], tokens[cpuAt + 1] === "to" ? tokens[cpuAt + 2] : undefined, tokens[cpuAt - 2]]
      .map((token) => (token === undefined ? NaN : Number(token)))
      .find((value) => Number.isFinite(value) && value > 0);
    change.cpus = number ?? (fewer ? "less" : "more");
  }
  // "4G of ram and a 20G disk": each size belongs to the word nearest to it.
  const memorySize =
    memoryAt >= 0
      ? nearestSize(
          diskAt >= 0 ? sizes.filter((entry) => Math.abs(entry.at - memoryAt) <= Math.abs(entry.at - diskAt)) : sizes,
          memoryAt,
        )
      : undefined;
  if (memoryAt >= 0) change.memory = memorySize?.size ?? (fewer ? "less" : "more");
  if (diskAt >= 0) change.workspaceSize = nearestSize(sizes, diskAt, memorySize?.at)?.size ?? (fewer ? "less" : "more");
  if (
    change.addModules.length === 0 &&
    change.removeModules.length === 0 &&
    change.cpus === undefined &&
    change.memory === undefined &&
    change.workspaceSize === undefined
  )
    return undefined;
  const negated = isNegated(
    clause,
    verbAt >= 0 ? verbAt : Math.max(0, Math.min(...[cpuAt, memoryAt].filter((index) => index >= 0))),
  );
  return { type: "change", target: where, ...change, negated };
}
