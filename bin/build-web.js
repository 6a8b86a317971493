#!/usr/bin/env node
// Builds the web dashboard into dist/web/ at install time (part of `npm run build`): the
// browser code in web/src/ bundled with esbuild (xterm.js included, so there is no CDN and the
// dashboard works offline), its stylesheet, and xterm.js's stylesheet. voxnix serves exactly
// these files (src/adapters/http/web/assets.ts). Without esbuild (an install without dev
// dependencies) this says so and the dashboard page explains that it is not built.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/web`;

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.error(
    "voxnix: esbuild is not installed; the web dashboard is not built (npm install with dev dependencies, then npm run build).",
  );
  process.exit(0);
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { dashboard: "web/src/dashboard.ts" },
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
});
const require = createRequire(import.meta.url);
copyFileSync(require.resolve("@xterm/xterm/css/xterm.css"), `${outdir}/xterm.css`);
copyFileSync(`${root}web/dashboard.css`, `${outdir}/dashboard.css`);
