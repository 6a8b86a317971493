#!/usr/bin/env node
// The voxnix command. Runs, in order of preference:
//   1. dist/bundle/cli/main.js — the CLI bundled by esbuild (fastest start-up; `npm run build`),
//   2. dist/adapters/cli/main.js — the tsc output,
//   3. src/ through tsx — when dist/ is missing or older than src/ (someone edited the sources
//      since the last build), or with VOXNIX_FROM_SOURCE=1; slower to start but never stale.
// VOXNIX_ENTRY=bundle|dist|source forces one of them without the staleness check (benchmarks);
// VOXNIX_FROM_SOURCE=1 is the same as VOXNIX_ENTRY=source.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sources = join(root, "src");
const bundled = join(root, "dist", "bundle", "cli", "main.js");
const compiled = join(root, "dist", "adapters", "cli", "main.js");

/** The newest modification time of a TypeScript source, or 0 without sources (an installed package). */
function newestSource() {
  if (!existsSync(sources)) return 0;
  let newest = 0;
  // A few milliseconds for a couple of hundred files; it saves running yesterday's code.
  for (const entry of readdirSync(sources, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts"))
      newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function chooseEntry() {
  const forced = process.env.VOXNIX_FROM_SOURCE === "1" ? "source" : process.env.VOXNIX_ENTRY;
  if (forced === "source") return { source: true, notice: "" };
  if (forced === "bundle" && existsSync(bundled)) return { file: bundled };
  if (forced === "dist" && existsSync(compiled)) return { file: compiled };
  if (!existsSync(compiled)) return { source: true, notice: "dist/ is missing" };
  const newest = newestSource();
  if (existsSync(bundled) && statSync(bundled).mtimeMs >= newest) return { file: bundled };
  if (statSync(compiled).mtimeMs >= newest) return { file: compiled };
  return { source: true, notice: "dist/ is older than src/" };
}

const choice = chooseEntry();
let entry;
if (choice.source) {
  if (choice.notice)
    process.stderr.write(
      `voxnix: ${choice.notice} (run \`npm run build\`); running the TypeScript sources with tsx.\n`,
    );
  const { register } = await import("tsx/esm/api");
  register();
  entry = pathToFileURL(join(sources, "adapters", "cli", "main.ts")).href;
} else {
  entry = pathToFileURL(choice.file).href;
}
const { main } = await import(entry);
await main();
