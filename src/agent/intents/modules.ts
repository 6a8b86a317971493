/**
 * Module synonyms: the words people use for workload modules ("vs code", "persistent",
 * "remote access") mapped to catalog names. Exact catalog names are always recognised too,
 * so a module added to the catalog is understood without touching this file.
 *
 * @module
 */
/** Phrase → catalog module name. Longer phrases are matched first. */
export const MODULE_SYNONYMS: Readonly<Record<string, string>> = {
  "vs code": "code-server",
  vscode: "code-server",
  "visual studio code": "code-server",
  "code server": "code-server",
  "code-server": "code-server",
  codeserver: "code-server",
  "web ide": "code-server",
  "persistent storage": "workspace",
  persistent: "workspace",
  workspace: "workspace",
  storage: "workspace",
  "dev tools": "devtools",
  "developer tools": "devtools",
  devtools: "devtools",
  tools: "devtools",
  "build tools": "devtools",
  git: "git",
  "fish shell": "fish",
  fish: "fish",
  tailscale: "tailscale",
  "remote access": "tailscale",
  vpn: "tailscale",
  tailnet: "tailscale",
};

/** A module found in a message and where its phrase sat. */
export interface ModuleMention {
  readonly module: string;
  readonly index: number;
  readonly length: number;
}

/** Phrases grouped by their first word, longest first, built once per catalog. */
function phraseTable(catalogNames: readonly string[]): Map<string, { words: readonly string[]; module: string }[]> {
  const table = new Map<string, { words: readonly string[]; module: string }[]>();
  const add = (phrase: string, module: string) => {
    const words = phrase.split(" ");
    const entries = table.get(words[0]!) ?? [];
    if (entries.some((entry) => entry.words.join(" ") === phrase)) return;
    entries.push({ words, module });
    entries.sort((a, b) => b.words.length - a.words.length);
    table.set(words[0]!, entries);
  };
  for (const [phrase, module] of Object.entries(MODULE_SYNONYMS)) add(phrase, module);
  for (const name of catalogNames) add(name, name);
  return table;
}

let cached: { key: string; table: Map<string, { words: readonly string[]; module: string }[]> } | undefined;

/**
 * Finds every module mentioned in `tokens`: synonyms and exact catalog names, in the order
 * they appear, without duplicates. One left-to-right pass: at each token the longest phrase
 * starting there wins and its tokens are not reused, so the cost grows linearly with the
 * message (a 4,000-character message costs about twenty times a 200-character one, not four
 * hundred times).
 */
export function findModules(tokens: readonly string[], catalogNames: readonly string[]): ModuleMention[] {
  const seen = new Set<string>();
  return findModuleMentions(tokens, catalogNames).filter((mention) =>
    seen.has(mention.module) ? false : (seen.add(mention.module), true),
  );
}

/** Every module phrase in `tokens`, repeats included (so callers know which tokens are module words). */
export function findModuleMentions(tokens: readonly string[], catalogNames: readonly string[]): ModuleMention[] {
  const key = catalogNames.join(",");
  if (cached?.key !== key) cached = { key, table: phraseTable(catalogNames) };
  const table = cached.table;
  const mentions: ModuleMention[] = [];
  let index = 0;
  while (index < tokens.length) {
    const match = table
      .get(tokens[index]!)
      ?.find((entry) => entry.words.every((word, offset) => tokens[index + offset] === word));
    if (match === undefined) {
      index += 1;
      continue;
    }
    mentions.push({ module: match.module, index, length: match.words.length });
    index += match.words.length;
  }
  return mentions;
}
