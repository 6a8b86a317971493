/**
 * The module catalog: Nix metadata has the TypeScript `ModuleInfo` shape, the checked-in
 * nix/modules/catalog.json equals the evaluation (regenerate with `npm run catalog`), and
 * malformed module metadata fails with the module's name.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseModuleCatalog } from "../../src/backends/catalog/index.js";
import { evaluateCatalog } from "../../nix/scripts/generate-catalog.js";
import { evalError, evalJson, nixString, repoRoot } from "./nix.js";

const catalogNix = join(repoRoot, "nix/lib/catalog.nix");

void describe("module catalog from Nix", () => {
  const evaluated = evalJson(`import ${nixString(catalogNix)}`) as { name: string }[];

  void it("lists the required modules, sorted", () => {
    const names = evaluated.map((module) => module.name);
    assert.deepEqual(names, ["code-server", "devtools", "env", "fish", "git", "tailscale", "workspace"]);
  });

  void it("matches the TypeScript ModuleInfo schema", () => {
    const catalog = parseModuleCatalog(evaluated, "evaluation");
    assert.deepEqual(catalog.get("tailscale")?.secrets, ["tailscale-auth-key"]);
    assert.deepEqual(catalog.get("code-server")?.ports, [{ port: 8080, protocol: "tcp", description: "code-server web UI", option: "port" }]);
    assert.equal(catalog.get("code-server")?.options.port?.type, "port");
  });

  void it("equals the checked-in nix/modules/catalog.json (run `npm run catalog` after changing a module)", () => {
    const checkedIn = readFileSync(join(repoRoot, "nix/modules/catalog.json"), "utf8");
    assert.equal(checkedIn, evaluateCatalog());
  });

  void it("reads each module's metadata without nixpkgs", () => {
    const description = evalJson(`(import ${nixString(join(repoRoot, "nix/modules/git.nix"))}).meta.description`);
    assert.equal(typeof description, "string");
  });
});

void describe("malformed module metadata", () => {
  function failureFor(fileName: string, content: string): string {
    const directory = mkdtempSync(join(tmpdir(), "voxnix-modules-"));
    try {
      writeFileSync(join(directory, fileName), content);
      writeFileSync(join(directory, "README.md"), "not a module");
      return evalError(`import ${nixString(join(repoRoot, "nix/lib/metadata.nix"))} { directory = ${nixString(directory)}; }`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  void it("names the module whose description is missing", () => {
    assert.match(failureFor("broken.nix", "{ meta = { }; module = x: { }; }"), /voxnix: module 'broken': meta.description must be a string/);
  });
  void it("rejects an option default of the wrong type", () => {
    const error = failureFor("m.nix", '{ meta = { description = "d"; options.p = { type = "port"; default = "80"; description = "d"; }; }; module = x: { }; }');
    assert.match(error, /voxnix: module 'm': options.p.default must be a port value/);
  });
  void it("rejects a port bound to an undeclared option", () => {
    const error = failureFor("m.nix", '{ meta = { description = "d"; ports = [ { port = 1; protocol = "tcp"; description = "d"; option = "nope"; } ]; }; module = x: { }; }');
    assert.match(error, /voxnix: module 'm': ports refers to option 'nope'/);
  });
  void it("rejects a file without a module", () => {
    assert.match(failureFor("m.nix", '{ meta = { description = "d"; }; }'), /voxnix: module 'm': the file has no `module` attribute/);
  });
  void it("rejects upper-case file names", () => {
    assert.match(failureFor("Bad.nix", '{ meta = { description = "d"; }; module = x: { }; }'), /voxnix: module 'Bad': file names must be lowercase/);
  });
  void it("ignores files that are not .nix", () => {
    const directory = mkdtempSync(join(tmpdir(), "voxnix-modules-"));
    try {
      writeFileSync(join(directory, "ok.nix"), '{ meta = { description = "d"; }; module = x: { }; }');
      writeFileSync(join(directory, "catalog.json"), "[]");
      const names = evalJson(`map (m: m.name) (import ${nixString(join(repoRoot, "nix/lib/metadata.nix"))} { directory = ${nixString(directory)}; })`);
      assert.deepEqual(names, ["ok"]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
