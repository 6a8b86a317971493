/** `voxnix ctl set`: in-process against the core harness, and through bin/voxnix.js. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCliHarness } from "./cli-harness.js";
import { parseModuleChanges } from "../../../src/adapters/cli/commands/ctl-set.js";

const ALICE = "telegram:42";
const BOB = "telegram:43";
const BIN = fileURLToPath(new URL("../../../bin/voxnix.js", import.meta.url));

function voxnix(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function withDev() {
  const harness = createCliHarness();
  assert.equal(
    (await harness.cli("ctl", "create", "dev", "--module", "git", "--module", "fish", "--as", ALICE)).code,
    0,
  );
  return harness;
}

describe("ctl set", () => {
  it("reads +name and -name (also as --module=-fish)", () => {
    assert.deepEqual(parseModuleChanges(["+code-server", "-fish", "git"]), {
      addModules: ["code-server", "git"],
      removeModules: ["fish"],
    });
    assert.throws(() => parseModuleChanges(["+../etc"]), /not a module change/);
  });

  it("--dry-run --json prints the plan with every field before → after and changes nothing", async () => {
    const harness = await withDev();
    const result = await harness.cli(
      "ctl",
      "set",
      "dev",
      "--module",
      "+code-server",
      "--module=-fish",
      "--cpu",
      "2",
      "--memory",
      "2G",
      "--dry-run",
      "--json",
      "--as",
      ALICE,
    );
    assert.equal(result.code, 0, result.stderr);
    const plan = result.json().result;
    assert.equal(plan.operation, "change");
    assert.deepEqual(
      plan.change.changes.map((change: { field: string }) => change.field),
      ["modules", "cpus", "memory"],
    );
    assert.equal(harness.backend.injector.callsOf("change").length, 0);
  });

  it("a restart asks for confirmation (exit 4 with the token); ctl confirm carries it out", async () => {
    const harness = await withDev();
    const asked = await harness.cli("ctl", "set", "dev", "--module", "-fish", "--cpu", "2", "--json", "--as", ALICE);
    assert.equal(asked.code, 4, asked.stderr);
    const body = asked.json().error;
    assert.equal(body.kind, "needs-confirmation");
    assert.equal(body.message, 'Changing "dev" needs confirmation.');
    assert.ok(
      body.plan.changes.some(
        (change: { field: string; after: string }) => change.field === "cpus" && change.after === "2",
      ),
    );
    assert.equal(harness.backend.injector.callsOf("change").length, 0);
    // Someone else's token use is refused like a missing one.
    assert.equal((await harness.cli("ctl", "confirm", body.token, "--as", BOB)).code, 3);
    const confirmed = await harness.cli("ctl", "confirm", body.token, "--as", ALICE);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(
      confirmed.stdout,
      /dev changed and restarted: modules git, fish, workspace → git, workspace; cpus 1 → 2/,
    );
  });

  it("--yes confirms at once; a change to what it has says so", async () => {
    const harness = await withDev();
    const done = await harness.cli("ctl", "set", "dev", "--module", "+code-server", "--yes", "--as", ALICE);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /dev changed and restarted/);
    const again = await harness.cli("ctl", "set", "dev", "--module", "+code-server", "--as", ALICE);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already has that; nothing was changed/);
  });

  it("over budget exits 1 with the quota message; another user's workload is not found (exit 3)", async () => {
    const harness = await withDev();
    const over = await harness.cli("ctl", "set", "dev", "--cpu", "4", "--memory", "9G", "--as", ALICE);
    assert.equal(over.code, 2, over.stderr);
    assert.match(over.stderr, /memory/);
    const mine = await harness.cli("ctl", "create", "web", "--cpu", "3", "--as", ALICE);
    assert.equal(mine.code, 0, mine.stderr);
    const quota = await harness.cli("ctl", "set", "dev", "--cpu", "2", "--json", "--as", ALICE);
    assert.equal(quota.json().error.kind, "quota");
    assert.equal((await harness.cli("ctl", "set", "dev", "--cpu", "2", "--as", BOB)).code, 3);
  });
});

describe("ctl set --workspace-size and ctl create --idle-timeout", () => {
  it("changes the workspace size in place, refuses one below what it holds, and shows both in show", async () => {
    const harness = createCliHarness();
    assert.equal((await harness.cli("ctl", "create", "dev", "--workspace-size", "2G", "--as", ALICE)).code, 0);
    harness.storage.write("telegram_42", "dev", 1024 ** 3);
    const grown = await harness.cli("ctl", "set", "dev", "--workspace-size", "4G", "--as", ALICE);
    assert.equal(grown.code, 0, grown.stderr);
    assert.match(grown.stdout, /workspace size 2G → 4G/);
    assert.equal(harness.storage.workspaces.get("telegram_42/dev")?.limitBytes, 4 * 1024 ** 3);
    assert.equal(harness.backend.injector.callsOf("change").length, 0, "nothing restarts");
    const shrunk = await harness.cli("ctl", "set", "dev", "--workspace-size", "512M", "--json", "--as", ALICE);
    assert.equal(shrunk.code, 2, shrunk.stderr);
    assert.match(JSON.stringify(shrunk.json().error), /already holds 1G, more than 512M/);
    assert.equal(harness.storage.workspaces.get("telegram_42/dev")?.limitBytes, 4 * 1024 ** 3);
  });

  it("create --idle-timeout sets the workload's own timer; --dry-run shows it; a bad value exits 2 and creates nothing", async () => {
    const harness = createCliHarness();
    const plan = await harness.cli("ctl", "create", "night", "--idle-timeout", "2h", "--dry-run", "--as", ALICE);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /idle timeout:\s+2h/);
    const bad = await harness.cli("ctl", "create", "night", "--idle-timeout", "later", "--as", ALICE);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(harness.backend.containers.has("night"), false);
    const created = await harness.cli("ctl", "create", "night", "--idle-timeout", "off", "--as", ALICE);
    assert.equal(created.code, 0, created.stderr);
    const shown = await harness.cli("ctl", "show", "night", "--json", "--as", ALICE);
    const idle = shown.json().result.idle;
    assert.deepEqual([idle.timeoutMs, idle.source], [0, "workload"]);
  });
});

describe("ctl set through bin/voxnix.js", () => {
  it("is listed, refuses a bad module change (exit 2) and an unknown workload (exit 3) before touching anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxnix-set-"));
    const env = { VOXNIX_STATE_DIR: join(dir, "state"), VOXNIX_STORAGE_DRIVER: "dir" };
    const help = await voxnix(["ctl", "set", "--help"], env);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--module <\+name\|-name>/);
    const bad = await voxnix(["ctl", "set", "dev", "--module", "+Bad/Name", "--json"], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(JSON.parse(bad.stdout).error.kind, "invalid-input");
    const missing = await voxnix(["ctl", "set", "ghost", "--cpu", "2", "--json"], env);
    assert.equal(missing.code, 3, missing.stderr);
    assert.equal(JSON.parse(missing.stdout).error.kind, "not-found");
  });
});
