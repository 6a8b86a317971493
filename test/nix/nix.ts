/**
 * Test helpers that run `nix-instantiate` (Debian's nix-bin) with argv arrays. Without
 * nix-instantiate the tests fail with an install hint instead of skipping silently.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** test/nix, holding eval-spec.nix, stubs/ and specs/. */
export const nixTestDirectory = join(repoRoot, "test", "nix");

/** Result of one nix-instantiate run. */
export interface NixResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs nix-instantiate with the given arguments (no shell). */
export function nixInstantiate(args: readonly string[]): NixResult {
  const result = spawnSync("nix-instantiate", args, { encoding: "utf8", cwd: repoRoot, env: { ...process.env, NIX_PATH: "" } });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error("nix-instantiate was not found: install it with `apt-get install -y nix-bin` (the Nix tests need it).");
    throw result.error;
  }
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Evaluates an expression strictly to JSON and parses it; throws with Nix's message on failure. */
export function evalJson(expression: string): unknown {
  const result = nixInstantiate(["--eval", "--strict", "--json", "--expr", expression]);
  if (result.status !== 0) throw new Error(`nix evaluation failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Evaluates an expression that must fail; returns Nix's error text. */
export function evalError(expression: string): string {
  const result = nixInstantiate(["--eval", "--strict", "--json", "--expr", expression]);
  if (result.status === 0) throw new Error(`expected the evaluation to fail, but it printed ${result.stdout}`);
  return result.stderr;
}

/** A Nix string literal for a filesystem path (JSON string syntax is valid Nix for these). */
export function nixString(value: string): string {
  return JSON.stringify(value).replaceAll("$", "\\$");
}

/** The expression evaluating a spec file through test/nix/eval-spec.nix (stubbed lib/pkgs). */
export function evalSpecExpression(specFile: string): string {
  return `import ${nixString(join(nixTestDirectory, "eval-spec.nix"))} { specFile = ${nixString(specFile)}; }`;
}

/** Writes `spec` as JSON into a fresh temporary directory and calls `use` with its path. */
export function withSpecFile<T>(spec: unknown, use: (specFile: string, directory: string) => T): T {
  const directory = mkdtempSync(join(tmpdir(), "voxnix-nix-test-"));
  try {
    const specFile = join(directory, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    return use(specFile, directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
