/**
 * The create family: "spin up a dev container called web with git and fish", "make me a box
 * with vs code, 2 cpus and 4G of memory", "new container dev-3 without workspace".
 *
 * @module
 */
import type { CreateRequest } from "./types.js";
import { FILLER_WORDS, firstPhrase, looksLikeName, type Normalised } from "./normalise.js";
import { findModuleMentions, findModules } from "./modules.js";
import { isNameCandidate } from "./target.js";
import { readKind } from "./vm.js";

/** Phrases that start a create request. "start"/"launch" count only when followed by "a"/"new". */
const CREATE_VERBS = [
  "create",
  "make",
  "spin up",
  "spin",
  "set up",
  "setup",
  "provision",
  "new",
  "give me",
  "build me",
  "build a",
  "i need a",
  "i want a",
  "i would like a",
  "launch a",
  "launch new",
  "start a",
  "start new",
  "fire up a",
  "deploy a",
  "deploy",
  "add a",
  "get me",
  "set me up",
];

/** True when the message asks for a new workload. */
export function isCreate(input: Normalised): boolean {
  return createVerbIndex(input) >= 0;
}

/** Where the first create word stands ("please don't *make* a new container"), or -1. */
export function createVerbIndex(input: Normalised): number {
  const verb = firstPhrase(input.tokens, CREATE_VERBS)?.index ?? -1;
  const noun = firstPhrase(input.tokens, ["new container", "new box", "new dev"])?.index ?? -1;
  return verb < 0 ? noun : noun < 0 ? verb : Math.min(verb, noun);
}

// Words that describe the container rather than name it ("a *dev* container", "a *fresh* box").
const DESCRIPTIVE = new Set([
  "dev",
  "development",
  "new",
  "fresh",
  "small",
  "big",
  "tiny",
  "test",
  "nixos",
  "linux",
  "debian",
  "another",
  "second",
  "third",
  "second-one",
  "me",
  "us",
]);

const CONTAINER_NOUNS = new Set([
  "container",
  "containers",
  "box",
  "vm",
  "machine",
  "instance",
  "environment",
  "env",
  "one",
  "workspace",
  "server",
  "sandbox",
]);

const SIZE = String.raw`(\d+(?:\.\d+)?)\s*(k|kb|kib|m|mb|mib|meg|megs|g|gb|gib|gig|gigs|t|tb|tib)\b`;
const UNIT_LETTER: Readonly<Record<string, string>> = { k: "K", m: "M", meg: "M", g: "G", gig: "G", t: "T" };

function toSize(value: string, unit: string): string {
  const stem = unit.replace(/(i?b|s)$/, "") || unit;
  return `${value}${UNIT_LETTER[stem] ?? UNIT_LETTER[unit[0]!] ?? "G"}`;
}

/** Parses a create request; call only when `isCreate` is true. */
export function parseCreate(input: Normalised, catalogNames: readonly string[]): CreateRequest {
  // Sizes are read from the folded text before tokens, where "4g" and "4 gb" both appear.
  const text = input.text;
  let cpus: number | undefined;
  const cpuMatch =
    /(\d+(?:\.\d+)?)\s*(?:v?cpus?|cores?|processors?|threads?)\b/.exec(text) ??
    /\b(?:cpus?|cores?)\s*(?:of\s*)?(\d+(?:\.\d+)?)\b/.exec(text);
  if (cpuMatch) cpus = Number(cpuMatch[1]);
  else if (/\b(one|a single) (cpu|core)\b/.test(text)) cpus = 1;
  else if (/\btwo (cpus|cores)\b/.test(text)) cpus = 2;
  else if (/\bfour (cpus|cores)\b/.test(text)) cpus = 4;

  let memory: string | undefined;
  let workspaceSize: string | undefined;
  let disk: string | undefined;
  const sizePattern = new RegExp(SIZE, "g");
  for (const match of text.matchAll(sizePattern)) {
    const size = toSize(match[1]!, match[2]!);
    const after = text.slice(match.index + match[0].length, match.index + match[0].length + 24);
    const before = text.slice(Math.max(0, match.index - 24), match.index);
    const nearMemory = /^\s*(of\s+)?(ram|memory|mem)\b/.test(after) || /\b(ram|memory|mem)\s*(of\s*)?$/.test(before);
    const nearDisk =
      /^\s*(of\s+)?(disk|storage|workspace|space|persistent)\b/.test(after) ||
      /\b(disk|storage|workspace|space)\s*(of\s*)?$/.test(before);
    // "a 20G disk" (a VM's root disk) is told apart from "a 20G workspace" (the persistent one).
    const rootDisk = /^\s*(of\s+)?(root\s+)?disk\b/.test(after) || /\bdisk\s*(of\s*)?$/.test(before);
    if (rootDisk && disk === undefined) disk = size;
    else if (nearDisk && workspaceSize === undefined) workspaceSize = size;
    else if (memory === undefined && (nearMemory || !nearDisk)) memory = size;
  }
  const kind = readKind(text);

  const withoutWorkspace = /\b(without|no)\s+(a\s+)?(workspace|persistent|storage|persistence)\b/.test(text);
  const mentions = findModuleMentions(input.tokens, catalogNames);
  const modules = findModules(input.tokens, catalogNames)
    .map((mention) => mention.module)
    .filter((module) => !(withoutWorkspace && module === "workspace"));
  // Words in the "with …" list that are not modules are passed on, so the core's validation
  // names them and lists what is available, instead of silently leaving them out.
  modules.push(...unknownModuleWords(input.tokens, mentions).filter((word) => !modules.includes(word)));

  return {
    type: "create",
    ...optional("name", findCreateName(input, mentions)),
    ...optional("kind", kind),
    ...optional("disk", disk),
    modules,
    ...optional("cpus", cpus),
    ...optional("memory", memory),
    ...(withoutWorkspace ? { workspace: false } : {}),
    ...optional("workspaceSize", workspaceSize),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

// "the name should be web", "its name is web": the words between "name" and the name.
const LINKING = new Set(["is", "should", "would", "will", "shall", "must", "can", "be", "to"]);

/** How many linking words stand at `index` onwards. */
function linkingWords(tokens: readonly string[], index: number): number {
  let count = 0;
  while (LINKING.has(tokens[index + count] ?? "")) count += 1;
  return count;
}

function findCreateName(input: Normalised, mentions: readonly { index: number; length: number }[]): string | undefined {
  const { tokens } = input;
  // Explicit naming wins: "called web", "named web", "name it web", "call it web", "name: web".
  for (let index = 0; index < tokens.length - 1; index += 1) {
    const word = tokens[index]!;
    let candidate: string | undefined;
    if (word === "called" || word === "named") candidate = tokens[index + 1];
    else if ((word === "name" || word === "call") && tokens[index + 1] === "it") candidate = tokens[index + 2];
    else if (word === "name" && tokens[index + 1] !== "it")
      candidate = tokens[index + 1 + linkingWords(tokens, index + 1)];
    if (candidate !== undefined && looksLikeName(candidate)) return candidate;
  }
  // Otherwise the first plain word after the verb, before "with"/"and"/sizes: "create web with git".
  const verb = firstPhrase(tokens, CREATE_VERBS);
  const start = verb ? verb.index + verb.length : 0;
  const moduleTokens = new Set<number>();
  for (const mention of mentions)
    for (let offset = 0; offset < mention.length; offset += 1) moduleTokens.add(mention.index + offset);
  for (let index = start; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (
      token === "with" ||
      token === "for" ||
      token === "using" ||
      token === "that" ||
      token === "which" ||
      token === "running" ||
      token === "having"
    )
      break;
    if (moduleTokens.has(index) || FILLER_WORDS.has(token) || /^\d/.test(token)) continue;
    // "a dev container" describes; "create dev" names.
    if (
      DESCRIPTIVE.has(token) &&
      (CONTAINER_NOUNS.has(tokens[index + 1] ?? "") ||
        DESCRIPTIVE.has(tokens[index + 1] ?? "") ||
        token === "new" ||
        token === "me")
    )
      continue;
    if (/^(cpus?|cores?|ram|memory|gb|g|mb|disk|dev-container|container)$/.test(token)) continue;
    // Only the word in the name slot may be a name, and only if it is not an everyday word ("make me something").
    return isNameCandidate(token) ? token : undefined;
  }
  return undefined;
}

// Words that may follow "with" without naming a module: sizes, resources and glue.
const NOT_MODULES = new Set([
  "cpu",
  "cpus",
  "core",
  "cores",
  "vcpu",
  "vcpus",
  "ram",
  "memory",
  "mem",
  "disk",
  "space",
  "gb",
  "gig",
  "gigs",
  "mb",
  "g",
  "m",
  "t",
  "tb",
  "of",
  "plus",
  "both",
  "installed",
  "enabled",
  "support",
  "preinstalled",
  "access",
  "shell",
  "one",
  "two",
  "four",
  "eight",
  "single",
  "without",
  "no",
  "persistence",
  "processors",
  "threads",
  "module",
  "modules",
  "tools",
  "tool",
  "stuff",
  "etc",
]);

function unknownModuleWords(
  tokens: readonly string[],
  mentions: readonly { index: number; length: number }[],
): string[] {
  const start = tokens.indexOf("with");
  if (start < 0) return [];
  const claimed = new Set<number>();
  for (const mention of mentions)
    for (let offset = 0; offset < mention.length; offset += 1) claimed.add(mention.index + offset);
  const unknown: string[] = [];
  for (let index = start + 1; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (
      token === "called" ||
      token === "named" ||
      token === "for" ||
      token === "name" ||
      token === "without" ||
      token === "no"
    )
      break;
    if (claimed.has(index) || FILLER_WORDS.has(token) || NOT_MODULES.has(token) || /^\d/.test(token)) continue;
    if (/^[a-z][a-z0-9-]{1,30}$/.test(token)) unknown.push(token);
  }
  return unknown;
}
