#!/usr/bin/env node
// The voxnix command. Runs the compiled CLI from dist/ (built by `npm install` via the
// `prepare` script, or `npm run build`). Without dist/ — or with VOXNIX_FROM_SOURCE=1 — it
// runs the TypeScript sources through tsx instead, which is slower to start.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const compiled = `${root}dist/adapters/cli/main.js`;
const fromSource = process.env.VOXNIX_FROM_SOURCE === "1" || !existsSync(compiled);

let entry;
if (fromSource) {
  if (process.env.VOXNIX_FROM_SOURCE !== "1") {
    process.stderr.write("voxnix: dist/ is missing (run `npm run build`); running the TypeScript sources with tsx.\n");
  }
  const { register } = await import("tsx/esm/api");
  register();
  entry = pathToFileURL(`${root}src/adapters/cli/main.ts`).href;
} else {
  entry = pathToFileURL(compiled).href;
}
const { main } = await import(entry);
await main();
