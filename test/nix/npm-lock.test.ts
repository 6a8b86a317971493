/**
 * nix/host/npm-lock.nix: package-lock.json has no `resolved` URLs, so the flake adds the
 * registry's tarball URL for importNpmLock. Checked against the real lock file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { evalJson, nixString, repoRoot } from "./nix.js";

const lockFile = join(repoRoot, "package-lock.json");
const expression = `import ${nixString(join(repoRoot, "nix/host/npm-lock.nix"))} (builtins.fromJSON (builtins.readFile ${nixString(lockFile)}))`;

interface Entry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
}

void describe("npm-lock.nix", () => {
  const original = JSON.parse(readFileSync(lockFile, "utf8")) as { packages: Record<string, Entry> };
  const fixed = evalJson(expression) as { packages: Record<string, Entry> };

  void it("gives every registry package a resolved URL and keeps its integrity", () => {
    for (const [path, entry] of Object.entries(original.packages)) {
      if (path === "" || entry.link === true) continue;
      const result = fixed.packages[path]!;
      assert.ok(result.resolved?.startsWith("https://registry.npmjs.org/"), `${path} has no resolved URL`);
      assert.equal(result.integrity, entry.integrity);
    }
  });

  void it("builds the canonical tarball URL for scoped and nested packages", () => {
    const scoped = Object.keys(fixed.packages).find((path) => path.startsWith("node_modules/@") && !path.includes("/node_modules/", 13))!;
    const name = scoped.slice("node_modules/".length);
    const entry = fixed.packages[scoped]!;
    assert.equal(entry.resolved, `https://registry.npmjs.org/${name}/-/${name.split("/")[1]}-${entry.version}.tgz`);
    const nested = Object.keys(fixed.packages).find((path) => path.split("node_modules/").length > 2);
    if (nested !== undefined) {
      const nestedName = nested.slice(nested.lastIndexOf("node_modules/") + "node_modules/".length);
      assert.ok(fixed.packages[nested]!.resolved!.startsWith(`https://registry.npmjs.org/${nestedName}/-/`));
    }
  });

  void it("leaves the root package alone", () => {
    assert.equal(fixed.packages[""]!.resolved, undefined);
  });
});
