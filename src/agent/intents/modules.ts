/**
 * Module synonyms: the words people use for workload modules ("vs code", "persistent",
 * "remote access") mapped to catalog names. Exact catalog names are always recognised too,
 * so a module added to the catalog is understood without touching this file.
 *
 * @module
 */
import { phraseIndex } from "./normalise.js";

/** Phrase → catalog module name. Longer phrases are matched first. */
export const MODULE_SYNONYMS: Readonly<Record<string, string>> = {
  "vs code": "code-server",
  "vscode": "code-server",
  "visual studio code": "code-server",
  "code server": "code-server",
  "code-server": "code-server",
  "codeserver": "code-server",
  "web ide": "code-server",
  "persistent storage": "workspace",
  "persistent": "workspace",
  "workspace": "workspace",
  "storage": "workspace",
  "dev tools": "devtools",
  "developer tools": "devtools",
  "devtools": "devtools",
  "tools": "devtools",
  "build tools": "devtools",
  "git": "git",
  "fish shell": "fish",
  "fish": "fish",
  "tailscale": "tailscale",
  "remote access": "tailscale",
  "vpn": "tailscale",
  "tailnet": "tailscale",
};

/** A module found in a message and where its phrase sat. */
export interface ModuleMention {
  readonly module: string;
  readonly index: number;
  readonly length: number;
}

/**
 * Finds every module mentioned in `tokens`: synonyms and exact catalog names, in the order
 * they appear, without duplicates. Tokens already claimed by a longer phrase are not reused.
 */
export function findModules(tokens: readonly string[], catalogNames: readonly string[]): ModuleMention[] {
  const phrases = new Map<string, string>(Object.entries(MODULE_SYNONYMS));
  for (const name of catalogNames) if (!phrases.has(name)) phrases.set(name, name);
  const ordered = [...phrases.keys()].sort((a, b) => b.split(" ").length - a.split(" ").length || b.length - a.length);
  const claimed = new Set<number>();
  const mentions: ModuleMention[] = [];
  for (const phrase of ordered) {
    const words = phrase.split(" ");
    let from = 0;
    while (from <= tokens.length - words.length) {
      const index = phraseIndex(tokens.slice(from), phrase);
      if (index < 0) break;
      const start = from + index;
      const positions = words.map((_, offset) => start + offset);
      if (positions.every((position) => !claimed.has(position))) {
        positions.forEach((position) => claimed.add(position));
        mentions.push({ module: phrases.get(phrase)!, index: start, length: words.length });
      }
      from = start + 1;
    }
  }
  mentions.sort((a, b) => a.index - b.index);
  const seen = new Set<string>();
  return mentions.filter((mention) => (seen.has(mention.module) ? false : (seen.add(mention.module), true)));
}
