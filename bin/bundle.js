#!/usr/bin/env node
// Bundles the CLI into dist/bundle/cli/ with esbuild, after `tsc` has built dist/ (see the
// `build` script). Node's ESM loader spends most of the CLI's start-up resolving and reading
// hundreds of small module files; one code-split bundle cuts that by about 40 % (see
// docs/cli.md). Heavy parts loaded with `await import()` stay separate chunks. Native and
// optional modules stay external. When esbuild is not installed (a production install
// without dev dependencies) this does nothing and bin/voxnix.js runs dist/ instead.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle/cli`;

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.error("voxnix: esbuild is not installed; skipping the CLI bundle (bin/voxnix.js uses dist/).");
  process.exit(0);
}

rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/adapters/cli/main.ts"],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // better-sqlite3, ssh2 (and its optional cpu-features) and @lydell/node-pty load their native addons relative
  // to their own files; ws tries its optional native helpers and does without them.
  external: ["better-sqlite3", "@lydell/node-pty", "bufferutil", "utf-8-validate", "ssh2"],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __voxnixCreateRequire } from 'node:module'; const require = __voxnixCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
