import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../bin/voxnix.js", import.meta.url));

const BUNDLE = fileURLToPath(new URL("../../../dist/bundle/cli/main.js", import.meta.url));

/** Runs bin/voxnix.js, by default from the TypeScript sources (so the test never sees a stale dist/). */
function voxnix(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, VOXNIX_ENTRY: "source", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("bin/voxnix.js", () => {
  it("--help lists the commands and exits 0", async () => {
    const result = await voxnix(["--help"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Usage: voxnix/);
    for (const command of ["ctl", "doctor", "users", "setup", "chat"])
      assert.match(result.stdout, new RegExp(`\\n  ${command}\\b`));
  });

  it("a bad configuration file exits 2 with a message naming the file and the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxnix-bin-"));
    const config = join(dir, "config.yaml");
    writeFileSync(config, "users:\n  defaults:\n    diskQuota: lots\n");
    const result = await voxnix(["ctl", "list"], { VOXNIX_CONFIG: config, VOXNIX_STATE_DIR: join(dir, "state") });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^error: config\.yaml: users\.defaults\.diskQuota: "lots" is not a size/m);
    assert.equal(result.stdout, "");
  });

  it("an unknown option is a usage error (exit 2)", async () => {
    const result = await voxnix(["ctl", "list", "--frobnicate"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option/);
  });

  it(
    "the esbuild bundle (when built) handles help, usage and input errors like the sources",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const help = await voxnix(["ctl", "--help"], { VOXNIX_ENTRY: "bundle" });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /create \[options\] <name>/);
      const dir = mkdtempSync(join(tmpdir(), "voxnix-bundle-"));
      const bad = await voxnix(["ctl", "create", "Bad_Name", "--json"], {
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: dir,
        VOXNIX_STORAGE_DRIVER: "dir",
      });
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(JSON.parse(bad.stdout).error.kind, "invalid-input");
    },
  );
});
