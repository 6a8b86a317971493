/**
 * `voxnix setup` and `voxnix doctor` on a prepared host: setup is idempotent (a second run
 * only checks and reports), doctor exits 0 when containers can run, and a non-root user gets
 * an explanation instead of a half-done setup.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createE2eEnv, e2eUnavailable, voxnix, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();

describe("nspawn end-to-end: setup and doctor", { skip, timeout: 10 * 60_000 }, () => {
  let env: E2eEnv;
  before(async () => {
    env = await createE2eEnv();
  });
  after(async () => {
    await env?.cleanup(false);
  });

  it("setup finds everything in place and says so", async () => {
    const first = await voxnix(env, ["setup", "--yes"]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /host packages already present/);
    assert.match(first.stdout, /base image already built/);
    assert.match(first.stdout, /per-user quotas enforced/);
    assert.match(first.stdout, /can run containers/);
  });

  it("doctor exits 0 and lists the prerequisites", async () => {
    const doctor = await voxnix(env, ["doctor"]);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    for (const check of ["systemd-nspawn", "debootstrap", "base image", "btrfs pool"]) assert.match(doctor.stdout, new RegExp(check));
  });

  it("images build is for admins only", async () => {
    const refused = await voxnix(env, ["--as", "telegram:42", "images", "build"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /admin/i);
  });

  it("explains that setup needs root", () => {
    const cli = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));
    const result = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, cli, "setup"], { env: { ...env.env, HOME: "/tmp" }, encoding: "utf8" });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /needs root/);
  });
});
