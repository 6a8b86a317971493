/**
 * Every .nix file in the repository parses (`nix-instantiate --parse`), including the flake
 * and the host configuration that cannot be evaluated here without nixpkgs.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { nixInstantiate, repoRoot } from "./nix.js";

// Build output, dependencies and local state (generated wrappers) are not ours to parse.
const skipped = new Set(["node_modules", ".git", "dist", "result", "tmp", ".voxnix-state", ".team"]);

function nixFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (skipped.has(entry.name)) return [];
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return nixFiles(path);
    return entry.isFile() && entry.name.endsWith(".nix") ? [path] : [];
  });
}

void describe("every .nix file parses", () => {
  const files = nixFiles(repoRoot);

  void it("finds the flake, the library, the modules and the host configuration", () => {
    const names = files.map((file) => relative(repoRoot, file));
    for (const expected of ["flake.nix", "nix/lib/mkContainer.nix", "nix/modules/tailscale.nix", "nix/host/voxnix-service.nix", "nix/host/appliance/parameters.nix"]) {
      assert.ok(names.includes(expected), `${expected} is missing`);
    }
  });

  for (const file of files) {
    void it(relative(repoRoot, file), () => {
      const result = nixInstantiate(["--parse", file]);
      assert.equal(result.status, 0, result.stderr);
    });
  }
});
