/**
 * How the supervisor reads a container's nspawn process from `/proc`, on real processes: a
 * live one booting the root, a pid now used by another program, a zombie and an exited one.
 * (The `changing` state, an argv that reads empty during `execve` or on the way out, lasts
 * microseconds and cannot be produced on demand; its handling is in `waitForBoot`/`waitForExit`.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { isNspawnFor, nspawnProcessState } from "../../../../src/runtimes/nspawn/supervisor.js";

const ROOT = "/var/lib/voxnix/machines/web";

describe("nspawn process state", () => {
  it("is nspawn while a live process's argv boots the root, and gone once it exited", async () => {
    // A harmless program carrying the argv the supervisor looks for (`:` keeps bash from exec'ing sleep).
    const child = spawn("bash", ["-c", "sleep 30; :", `--directory=${ROOT}`], { stdio: "ignore" });
    try {
      await sleep(200);
      const pid = child.pid!;
      assert.equal(nspawnProcessState(pid, ROOT), "nspawn");
      assert.equal(isNspawnFor(pid, ROOT), true);
      assert.equal(
        nspawnProcessState(pid, "/var/lib/voxnix/machines/other"),
        "gone",
        "another root's process is not this container's",
      );
    } finally {
      child.kill("SIGKILL");
    }
    await once(child, "exit");
    assert.equal(nspawnProcessState(child.pid!, ROOT), "gone");
  });

  it("is gone for a zombie, whose argv also reads empty", async () => {
    // `sleep 30` never reaps the short-lived child it inherits, so that child stays a zombie.
    const parent = spawn("bash", ["-c", `bash -c 'exit 0' --directory=${ROOT} & echo $!; exec sleep 30`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const [line] = (await once(parent.stdout, "data")) as [Buffer];
      const zombie = Number(line.toString().trim());
      await sleep(300);
      assert.equal(nspawnProcessState(zombie, ROOT), "gone");
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("is gone for a pid that does not exist", () => {
    assert.equal(nspawnProcessState(2 ** 22 + 1, ROOT), "gone");
  });
});
