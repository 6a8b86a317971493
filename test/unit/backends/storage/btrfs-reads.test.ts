/** Reading storage usage on a fresh host creates no btrfs pool, image or mount. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configSchema } from "../../../../src/app/config-schema.js";
import type { BackendDeps } from "../../../../src/backends/deps.js";
import { createBtrfsStorage } from "../../../../src/backends/storage/btrfs/index.js";
import { FakeCommandRunner } from "../../../fakes/fake-command-runner.js";

function freshDriver() {
  const stateDir = mkdtempSync(join(tmpdir(), "voxnix-btrfs-reads-"));
  const runner = new FakeCommandRunner();
  const deps = { config: configSchema.parse({}), stateDir, runner } as unknown as BackendDeps;
  return { driver: createBtrfsStorage(deps), runner, stateDir };
}

void describe("btrfs reads on a fresh host", () => {
  void it("userUsage, workspaceUsage and workspaceExists answer 'nothing' and run no host command", async () => {
    const { driver, runner, stateDir } = freshDriver();
    assert.deepEqual(await driver.userUsage("telegram_42"), { usedBytes: 0, quotaBytes: null, availableBytes: null });
    assert.deepEqual(await driver.workspaceUsage("telegram_42", "dev"), {
      usedBytes: 0,
      quotaBytes: null,
      availableBytes: null,
    });
    assert.equal(await driver.workspaceExists("telegram_42", "dev"), false);
    assert.deepEqual(runner.calls, [], "no mkfs, mount or btrfs command");
    assert.equal(existsSync(join(stateDir, "storage.btrfs.img")), false, "no image file");
    assert.deepEqual(readdirSync(stateDir), [], "nothing written to the state directory");
  });
});
