/**
 * The architecture's fences hold: ESLint (the project's real configuration) refuses a runtime
 * that imports the app's configuration, another runtime (also from a subfolder) or a storage
 * driver, a driver that imports the app, an agent file that imports the database, an
 * adapter that reaches a runtime or imports a port, whether the import is static or dynamic. Each probe is a
 * real file in the tree for the moment it is linted, so the type-aware configuration sees it
 * as the project would.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The fence rules: static imports by path, dynamic imports by syntax. */
const FENCE_RULES = new Set(["no-restricted-imports", "no-restricted-syntax"]);

let probes = 0;

async function restrictedImports(file: string, code: string): Promise<string[]> {
  // A fresh name per probe: the type-aware parser keeps what it read of a path for the whole process.
  probes += 1;
  const target = path.join(ROOT, file.replace(/zz-fence-probe(?=\.ts$)/, `zz-fence-probe-${probes}`));
  // A probe in a folder of its own is removed with its folder.
  const folder = path.basename(path.dirname(target)).startsWith("zz-fence") ? path.dirname(target) : undefined;
  if (folder) mkdirSync(folder, { recursive: true });
  writeFileSync(target, code);
  try {
    const [result] = await new ESLint({ cwd: ROOT }).lintFiles([target]);
    return (result?.messages ?? [])
      .filter((message) => message.ruleId !== null && FENCE_RULES.has(message.ruleId))
      .map((message) => message.message);
  } finally {
    rmSync(folder ?? target, { recursive: true, force: true });
  }
}

// Type-aware lint of the whole tree takes ~20 s alone and minutes on a loaded 2-core machine.
void describe("architecture fences (lint)", { timeout: 600_000 }, () => {
  void it("a runtime that imports the app's configuration is refused", async () => {
    const found = await restrictedImports(
      "src/runtimes/nspawn/zz-fence-probe.ts",
      'import type { Config } from "../../app/config-schema.js";\nexport type Probe = Config;\n',
    );
    assert.ok(
      found.some((message) => /never import the app/.test(message)),
      found.join("\n"),
    );
  });

  void it("a runtime that imports another runtime is refused", async () => {
    const found = await restrictedImports(
      "src/runtimes/qemu/zz-fence-probe.ts",
      'import type { NspawnRuntime } from "../nspawn/index.js";\nexport type Probe = NspawnRuntime;\n',
    );
    assert.ok(
      found.some((message) => /never import each other/.test(message)),
      found.join("\n"),
    );
  });

  void it("a runtime file in a subfolder that imports another runtime is refused", async () => {
    const found = await restrictedImports(
      "src/runtimes/nspawn/zz-fence-dir/zz-fence-probe.ts",
      'import type { QemuRuntime } from "../../qemu/index.js";\nexport type Probe = QemuRuntime;\n',
    );
    assert.ok(
      found.some((message) => /never import each other/.test(message)),
      found.join("\n"),
    );
  });

  void it("a runtime that imports the app dynamically is refused", async () => {
    const found = await restrictedImports(
      "src/runtimes/nspawn/zz-fence-probe.ts",
      'export const probe = () => import("../../app/config-schema.js");\n',
    );
    assert.ok(
      found.some((message) => /Import this statically/.test(message)),
      found.join("\n"),
    );
  });

  void it("an agent file that imports the database dynamically is refused", async () => {
    const found = await restrictedImports(
      "src/agent/zz-fence-probe.ts",
      'export const probe = () => import("../state/database.js");\n',
    );
    assert.ok(
      found.some((message) => /Import this statically/.test(message)),
      found.join("\n"),
    );
  });

  void it("an adapter that loads a runtime lazily is refused", async () => {
    const found = await restrictedImports(
      "src/adapters/zz-fence-probe.ts",
      'export const probe = () => import("../runtimes/nspawn/index.js");\n',
    );
    assert.ok(
      found.some((message) => /lazily or not/.test(message)),
      found.join("\n"),
    );
  });

  void it("a runtime that imports a storage driver is refused", async () => {
    const found = await restrictedImports(
      "src/runtimes/qemu/zz-fence-probe.ts",
      'import { createBtrfsStorage } from "../../backends/storage/btrfs/index.js";\nexport const probe = createBtrfsStorage;\n',
    );
    assert.ok(
      found.some((message) => /never import a storage driver/.test(message)),
      found.join("\n"),
    );
  });

  void it("a storage driver or shared runtime deps that import the app are refused", async () => {
    const found = await restrictedImports(
      "src/backends/storage/zz-fence-probe.ts",
      'import type { Config } from "../../app/config-schema.js";\nexport type Probe = Config;\n',
    );
    assert.ok(
      found.some((message) => /never import the app/.test(message)),
      found.join("\n"),
    );
  });

  void it("an agent file that imports the database is refused", async () => {
    const found = await restrictedImports(
      "src/agent/zz-fence-probe.ts",
      'import type { VoxnixDatabase } from "../state/database.js";\nexport type Probe = VoxnixDatabase;\n',
    );
    assert.ok(
      found.some((message) => /never touches the database/.test(message)),
      found.join("\n"),
    );
  });

  void it("an adapter that reaches a runtime is refused", async () => {
    const found = await restrictedImports(
      "src/adapters/zz-fence-probe.ts",
      'import type { NspawnRuntime } from "../runtimes/nspawn/index.js";\nexport type Probe = NspawnRuntime;\n',
    );
    assert.ok(
      found.some((message) => /never reach runtimes/.test(message)),
      found.join("\n"),
    );
  });

  void it("an adapter that imports a port is refused; the logger is a shared utility", async () => {
    const found = await restrictedImports(
      "src/adapters/zz-fence-probe.ts",
      'import type { Runtime } from "../ports/runtime.js";\nimport type { Logger } from "../ports/logger.js";\nexport type Probe = Runtime | Logger;\n',
    );
    assert.equal(found.filter((message) => /never import ports/.test(message)).length, 1, found.join("\n"));
  });

  void it("the tree as it is passes the same fences", async () => {
    const results = await new ESLint({ cwd: ROOT }).lintFiles([
      "src/runtimes",
      "src/backends",
      "src/agent",
      "src/adapters",
      "src/core",
    ]);
    const broken = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId !== null && FENCE_RULES.has(message.ruleId))
        .map((message) => `${result.filePath}: ${message.message}`),
    );
    assert.deepEqual(broken, []);
  });
});
