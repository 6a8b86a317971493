#!/usr/bin/env node
// Runs every test file under test/ with node:test (Node 20's --test does not expand `**`
// globs), shows the spec reporter, and ends with one line: "N passed, N failed".
// Usage: node scripts/run-tests.mjs [folder-or-file …]   (default: test/)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function collect(path) {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== "node_modules" && entry.name !== "fakes")
    .flatMap((entry) => collect(join(path, entry.name)));
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ["test"]).flatMap(collect).sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), "voxnix-tests-"));
const tapFile = join(scratch, "results.tap");
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: "inherit" },
);
child.on("exit", (code, signal) => {
  const tap = readFileSync(tapFile, "utf8");
  const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + count("cancelled");
  rmSync(scratch, { recursive: true, force: true });
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code ?? (signal ? 1 : 0));
});
