/**
 * `voxnix setup` and `voxnix doctor` on a prepared host: setup is idempotent (a second run
 * only checks and reports), doctor exits 0 when containers can run, `ctl autostart` brings
 * containers back after a simulated reboot, and a non-root user gets an explanation instead
 * of a half-done setup.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { configSchema } from "../../src/app/config-schema.js";
import { resolveBtrfsPaths, unmountPool } from "../../src/backends/storage/btrfs/index.js";
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
    for (const check of ["systemd-nspawn", "debootstrap", "base image", "btrfs pool"])
      assert.match(doctor.stdout, new RegExp(check));
  });

  it("images build is for admins only", async () => {
    const refused = await voxnix(env, ["--as", "telegram:42", "images", "build"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /admin/i);
  });

  it("autostart brings containers back after a simulated reboot (stopped, pool unmounted)", async () => {
    const created = await voxnix(env, ["--as", "telegram:42", "ctl", "create", "boot", "--module", "git"]);
    assert.equal(created.code, 0, created.stderr);
    const backend = env.backend();
    await backend.stop("boot" as never, { onProgress: () => undefined });
    await unmountPool(
      env.runner,
      resolveBtrfsPaths({
        config: configSchema.parse(JSON.parse(readFileSync(env.configFile, "utf8"))),
        stateDir: path.join(env.root, "state"),
      }),
    );
    assert.equal(existsSync(backend.paths.machines), false, "the pool is really unmounted");
    const started = await voxnix(env, ["ctl", "autostart"]);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    assert.match(started.stdout, /Started boot/);
    assert.equal((await backend.show("boot" as never))?.state, "running");
    const inside = await voxnix(env, ["--as", "telegram:42", "ctl", "exec", "boot", "--", "test", "-d", "/workspace"]);
    assert.equal(inside.code, 0, "the workspace is mounted again");
  });

  it("ctl shell opens an interactive login shell (fish) and passes its exit status", async () => {
    const created = await voxnix(env, ["--as", "telegram:42", "ctl", "create", "sh1", "--module", "fish"]);
    assert.equal(created.code, 0, created.stderr);
    const cli = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));
    // `script` gives the CLI a terminal, as a person at a console would have.
    const child = spawn("script", ["-qec", `${process.execPath} ${cli} --as telegram:42 ctl shell sh1`, "/dev/null"], {
      env: env.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const typing = setTimeout(() => child.stdin.write("echo hi-(math 6 \\* 7)\r"), 4000);
    const leaving = setTimeout(() => child.stdin.write("exit 4\r"), 7000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearTimeout(typing);
    clearTimeout(leaving);
    assert.match(output, /hi-42/, "fish evaluated the typed line");
    assert.equal(code, 4);
  });

  it("explains that setup needs root", () => {
    const cli = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));
    const result = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, cli, "setup"], {
      env: { ...env.env, HOME: "/tmp" },
      encoding: "utf8",
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /needs root/);
  });
});
