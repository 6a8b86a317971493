/**
 * The nspawn backend without btrfs: `storage.driver: dir`, container roots as overlayfs over
 * the base image, no quotas (reported by doctor). Create, exec, stop, start and destroy.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { App } from "../../src/app/app.js";
import { createE2eEnv, e2eUnavailable, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const actor = { userId: "local:alice" as const };

describe("nspawn end-to-end on the dir driver (overlayfs roots)", { skip, timeout: 10 * 60_000 }, () => {
  let env: E2eEnv;
  let app: App;
  before(async () => {
    env = await createE2eEnv({ extraConfig: { storage: { driver: "dir" } } });
    app = await env.app();
  });
  after(async () => {
    await app?.close();
    await env?.cleanup(false);
  });

  it("runs a container on an overlay root and removes it completely", async () => {
    assert.equal(app.storage.info().quotas, false);
    const doctor = await app.core.doctor({ userId: "local:admin" });
    assert.ok(
      doctor.checks.some((check) => /NOT enforced/.test(check.detail)),
      "doctor says quotas are not enforced",
    );

    await (await app.core.create(actor, { name: "web", modules: ["git"] })).wait();
    const details = await app.core.show({ userId: "local:admin" }, "web");
    assert.equal(details.facts.storage, "overlayfs");
    const root = details.facts.root ?? "";
    assert.ok(readFileSync("/proc/self/mountinfo", "utf8").includes(` ${root} `), "the overlay root is mounted");
    const git = await app.core.exec(actor, {
      name: "web",
      argv: ["sh", "-c", "git --version && echo kept > /workspace/f && echo layer > /root/g"],
    });
    assert.equal(git.exitCode, 0, git.stderr);
    await app.core.stop(actor, "web");
    await app.core.start(actor, "web");
    const back = await app.core.exec(actor, { name: "web", argv: ["cat", "/workspace/f", "/root/g"] });
    assert.equal(back.stdout, "kept\nlayer\n", "workspace and the container's own changes survive a restart");

    const { token } = await app.core.destroy(actor, "web");
    await (await app.core.confirm(actor, token)).wait();
    assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(` ${root} `), false, "the overlay is unmounted");
    assert.equal(existsSync(root), false);
    assert.deepEqual(await env.backend().list(), []);
  });
});
