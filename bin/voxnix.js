#!/usr/bin/env node
// The voxnix command. Runs the compiled CLI from dist/ (built by `npm install` via the
// `prepare` script, or `npm run build`). When dist/ is missing or older than src/ (someone
// edited the sources since the last build), or with VOXNIX_FROM_SOURCE=1, it runs the
// TypeScript sources through tsx instead, which is slower to start but never stale.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const compiled = join(root, "dist", "adapters", "cli", "main.js");
const sources = join(root, "src");

/** Why the sources must be used instead of dist/, or undefined when dist/ is fine. */
function reasonForSources() {
  if (process.env.VOXNIX_FROM_SOURCE === "1") return "";
  if (!existsSync(compiled)) return "dist/ is missing";
  if (!existsSync(sources)) return undefined;
  const built = statSync(compiled).mtimeMs;
  // A few milliseconds for a couple of hundred files; it saves running yesterday's code.
  for (const entry of readdirSync(sources, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts") && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return "dist/ is older than src/";
  }
  return undefined;
}

const reason = reasonForSources();
let entry = pathToFileURL(compiled).href;
if (reason !== undefined) {
  if (reason !== "") process.stderr.write(`voxnix: ${reason} (run \`npm run build\`); running the TypeScript sources with tsx.\n`);
  const { register } = await import("tsx/esm/api");
  register();
  entry = pathToFileURL(join(sources, "adapters", "cli", "main.ts")).href;
}
const { main } = await import(entry);
await main();
