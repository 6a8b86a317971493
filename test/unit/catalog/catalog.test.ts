/** The TypeScript catalog loader: finding, reading and validating catalog.json. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { configSchema } from "../../../src/app/config-schema.js";
import {
  CATALOG_RELATIVE_PATH,
  findCatalogFile,
  loadModuleCatalog,
  parseModuleCatalog,
  readModuleCatalog,
} from "../../../src/backends/catalog/index.js";
import { HostFailureError } from "../../../src/domain/errors.js";

const temporary: string[] = [];
function sourceTree(catalog: string): string {
  const root = mkdtempSync(join(tmpdir(), "voxnix-catalog-"));
  temporary.push(root);
  mkdirSync(join(root, "nix", "modules"), { recursive: true });
  writeFileSync(join(root, CATALOG_RELATIVE_PATH), catalog);
  return root;
}
afterEach(() => {
  for (const directory of temporary.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const good = [
  { name: "git", description: "Git.", secrets: [], conflicts: [], ports: [], options: {} },
  {
    name: "code-server",
    description: "Editor.",
    secrets: [],
    conflicts: [],
    ports: [{ port: 8080, protocol: "tcp", description: "UI", option: "port" }],
    options: { port: { type: "port", default: 8080, description: "Port." } },
  },
];

void describe("loadModuleCatalog", () => {
  void it("loads the repository's catalog with every module, sorted", () => {
    const catalog = loadModuleCatalog({ config: configSchema.parse({}) });
    assert.deepEqual(
      catalog.list().map((module) => module.name),
      ["code-server", "devtools", "env", "fish", "git", "tailscale", "workspace"],
    );
    assert.equal(catalog.get("tailscale")?.secrets[0], "tailscale-auth-key");
  });

  void it("reads the catalog below nixos.flakePath when configured", () => {
    const root = sourceTree(JSON.stringify(good));
    const catalog = loadModuleCatalog({ config: configSchema.parse({ nixos: { flakePath: root } }) });
    assert.deepEqual(
      catalog.list().map((module) => module.name),
      ["code-server", "git"],
    );
  });

  void it("walks up from a start directory to the nearest catalog", () => {
    const root = sourceTree(JSON.stringify(good));
    const deep = join(root, "dist", "backends", "catalog");
    mkdirSync(deep, { recursive: true });
    assert.equal(findCatalogFile(undefined, deep), join(root, CATALOG_RELATIVE_PATH));
  });
});

void describe("corrupt catalogs fail clearly", () => {
  void it("rejects invalid JSON with a host failure naming the file", () => {
    const root = sourceTree("[{");
    assert.throws(
      () => readModuleCatalog(join(root, CATALOG_RELATIVE_PATH)),
      (error: unknown) => {
        assert.ok(error instanceof HostFailureError);
        assert.match(error.message, /is not valid JSON; regenerate it with `npm run catalog`/);
        return true;
      },
    );
  });

  void it("rejects a missing file", () => {
    assert.throws(() => readModuleCatalog("/nonexistent/catalog.json"), /cannot be read/);
  });

  void it("rejects a module without a description, with the field in the detail", () => {
    assert.throws(
      () => parseModuleCatalog([{ ...good[0], description: undefined }], "x.json"),
      (error: unknown) =>
        error instanceof HostFailureError && /corrupt/.test(error.message) && /0\.description/.test(error.detail ?? ""),
    );
  });

  void it("rejects unknown option types, bad protocols and duplicate names", () => {
    assert.throws(
      () =>
        parseModuleCatalog([{ ...good[1], options: { port: { type: "float", default: 1, description: "" } } }], "x"),
      HostFailureError,
    );
    assert.throws(
      () => parseModuleCatalog([{ ...good[1], ports: [{ port: 1, protocol: "sctp", description: "" }] }], "x"),
      HostFailureError,
    );
    assert.throws(() => parseModuleCatalog([good[0], good[0]], "x"), /corrupt/);
  });

  void it("rejects a port bound to an undeclared option", () => {
    assert.throws(
      () => parseModuleCatalog([{ ...good[1], options: {} }], "x"),
      (error: unknown) => error instanceof HostFailureError && /does not declare/.test(error.detail ?? ""),
    );
  });

  void it("accepts a valid list", () => {
    assert.equal(parseModuleCatalog(good, "x").get("code-server")?.options.port?.default, 8080);
  });
});
