/** The workload lock really excludes another process, and a killed holder's lock is taken over. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConflictError } from "../../../src/domain/errors.js";
import { openDatabase } from "../../../src/state/database.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, rejection } from "./helpers.js";
import { workloadOf } from "../../../src/core/api.js";

const directory = mkdtempSync(join(tmpdir(), "voxnix-lock-"));
after(() => rmSync(directory, { recursive: true, force: true }));

// The other process takes the lock the way a core does (holder id with a boot id and pid) and waits.
const CHILD = `
import { openDatabase } from ${JSON.stringify(new URL("../../../src/state/database.ts", import.meta.url).pathname)};
import { createWorkloadLocksRepository } from ${JSON.stringify(new URL("../../../src/state/workload-locks-repository.ts", import.meta.url).pathname)};
import { readFileSync } from "node:fs";
const db = openDatabase(process.argv[1]);
const holder = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() + "/child";
const ok = createWorkloadLocksRepository(db).tryAcquire("dev", holder, process.pid, new Date(), () => true);
console.log(ok ? "locked" : "busy");
setInterval(() => undefined, 1000);
`;

void describe("cross-process locks", () => {
  void it("another process holding the lock makes operations busy until it dies", async () => {
    const path = join(directory, "state.db");
    const t = createTestCore({ db: openDatabase(path) });
    const alice = actor(TEST_USERS.alice);
    await createReady(t.core, alice, { name: "dev" });

    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, path], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = once(child, "exit");
    try {
      const [line] = (await Promise.race([once(child.stdout, "data"), exited.then(() => [Buffer.from("exited")])])) as [
        Buffer,
      ];
      assert.equal(line.toString().trim(), "locked");
      const error = await rejection(t.core.stop(alice, "dev"));
      assert.ok(error instanceof ConflictError);
      assert.equal(error.reason, "busy");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    assert.equal(workloadOf(await t.core.stop(alice, "dev")).desired, "stopped");
    t.db.close();
  });
});
