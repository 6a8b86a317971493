/**
 * `npm run catalog`: evaluates the Nix module library's metadata
 * (`nix-instantiate --eval --strict --json nix/lib/catalog.nix`) and writes it to
 * nix/modules/catalog.json, the file the TypeScript catalog loads. `--check` only compares
 * and exits 1 when the file is stale.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseModuleCatalog } from "../../src/backends/catalog/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = join(root, "nix", "modules", "catalog.json");

/** Evaluates the catalog with nix-instantiate and returns it as formatted JSON text. */
export function evaluateCatalog(): string {
  let output: string;
  try {
    output = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", join(root, "nix", "lib", "catalog.nix")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const detail = (error as { code?: string; stderr?: string }).code === "ENOENT" ? "nix-instantiate is not installed (apt-get install nix-bin)" : String((error as { stderr?: string }).stderr ?? error);
    throw new Error(`Evaluating nix/lib/catalog.nix failed: ${detail}`);
  }
  const json: unknown = JSON.parse(output);
  parseModuleCatalog(json, "nix/lib/catalog.nix");
  return `${JSON.stringify(json, null, 2)}\n`;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const text = evaluateCatalog();
  if (process.argv.includes("--check")) {
    const current = readFileSync(target, "utf8");
    if (current !== text) {
      console.error("nix/modules/catalog.json is stale: run `npm run catalog` and commit it.");
      process.exit(1);
    }
    console.log("nix/modules/catalog.json is up to date.");
  } else {
    writeFileSync(target, text);
    console.log(`Wrote ${target}.`);
  }
}
