/**
 * The nspawn backend without btrfs: `storage.driver: dir`, container roots as overlayfs over
 * the base image, no quotas (reported by doctor). Create, exec, stop, start and destroy; the
 * root is owned by the container's id range through an idmapped image, so its upper layer
 * holds only what the container wrote, and neither the image nor another container sees it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { App } from "../../src/app/app.js";
import { machinePaths } from "../../src/runtimes/nspawn/paths.js";
import { recordedIdRange } from "../../src/runtimes/nspawn/id-range.js";
import { createE2eEnv, e2eUnavailable, type E2eEnv } from "./harness.js";

/** Regular files under `directory` with their sizes, walked with lstat (a link is never followed). */
function treeFiles(directory: string): { readonly path: string; readonly bytes: number }[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return treeFiles(full);
    return entry.isFile() ? [{ path: full, bytes: lstatSync(full).size }] : [];
  });
}

/** Total bytes under `directory` and, for a failure message, the largest files. */
function treeBytes(directory: string): { readonly total: number; readonly largest: string } {
  const files = treeFiles(directory).sort((a, b) => b.bytes - a.bytes);
  return {
    total: files.reduce((sum, file) => sum + file.bytes, 0),
    largest: files
      .slice(0, 5)
      .map((file) => `${path.relative(directory, file.path)} ${file.bytes}`)
      .join(", "),
  };
}

/** What a booted container writes itself (its journal preallocates 8 MiB): far below the image's 431 MB. */
const WRITTEN_LIMIT = 24 * 1024 ** 2;

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

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

    // Owned by its id range from the start: nothing of the image was copied into the root.
    const machine = machinePaths(env.backend().paths, "web");
    const range = recordedIdRange(machine);
    assert.ok(range !== undefined, "the container holds an id range");
    assert.equal(details.facts.idRange, `${range}-${range + 65535}`, "show names it");
    const upper = path.join(machine.layers, "upper");
    const written = treeBytes(upper);
    assert.ok(
      written.total < WRITTEN_LIMIT,
      `the upper layer holds only what the container wrote (${written.total} bytes: ${written.largest})`,
    );
    assert.equal(lstatSync(path.join(root, "etc/passwd")).uid, range, "outside, root's files belong to the range");
    assert.equal(lstatSync(path.join(root, "usr/bin/git")).gid, range);
    const leader = Number(readFileSync(path.join(machine.run, "leader.pid"), "utf8"));
    assert.match(readFileSync(`/proc/${leader}/uid_map`, "utf8"), new RegExp(`^\\s*0\\s+${range}\\s+65536\\s*$`));
    const inside = await app.core.exec(actor, {
      name: "web",
      argv: ["stat", "-c", "%u:%g", "/etc/passwd", "/usr/bin/git"],
    });
    assert.equal(inside.stdout, "0:0\n0:0\n", "inside, they are root's");

    // The tenant's root writes root-owned image files: its own copy changes, the shared image does not.
    const image = readFileSync(path.join(machine.layers, "lower"), "utf8").trim();
    const motd = digest(path.join(image, "etc/motd"));
    const wrote = await app.core.exec(actor, {
      name: "web",
      argv: ["sh", "-c", "echo tenant >> /etc/motd && chown 1000 /usr/bin/git && echo planted > /usr/bin/planted"],
    });
    assert.equal(wrote.exitCode, 0, wrote.stderr);
    assert.equal(digest(path.join(image, "etc/motd")), motd, "the image's file is unchanged");
    assert.equal(lstatSync(path.join(image, "usr/bin/git")).uid, 0, "and keeps its owner");
    assert.equal(existsSync(path.join(image, "usr/bin/planted")), false);
    assert.equal(lstatSync(path.join(upper, "usr/bin/git")).uid, range + 1000, "the copy is the container's");
    const mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
    assert.equal(
      mountinfo.includes(` ${path.join(machine.layers, "mapped")} `),
      false,
      "no idmapped image is left mounted",
    );

    const git = await app.core.exec(actor, {
      name: "web",
      argv: ["sh", "-c", "git --version && echo kept > /workspace/f && echo layer > /root/g"],
    });
    assert.equal(git.exitCode, 0, git.stderr);
    await app.core.stop(actor, "web");
    await app.core.start(actor, "web");
    const back = await app.core.exec(actor, { name: "web", argv: ["cat", "/workspace/f", "/root/g"] });
    assert.equal(back.stdout, "kept\nlayer\n", "workspace and the container's own changes survive a restart");
    assert.equal(recordedIdRange(machine), range, "the range is the container's for good");
    assert.equal(lstatSync(path.join(root, "usr/bin/git")).uid, range + 1000);
    assert.ok(treeBytes(upper).total < WRITTEN_LIMIT, `a restart chowns nothing (${treeBytes(upper).largest})`);

    // A second container over the same image: its own range, none of the first one's files.
    await (await app.core.create(actor, { name: "db", modules: [], workspace: { enabled: false } })).wait();
    const other = recordedIdRange(machinePaths(env.backend().paths, "db"));
    assert.ok(other !== undefined && other !== range, `a range of its own (${other} vs ${range})`);
    const sees = await app.core.exec(actor, {
      name: "db",
      argv: ["sh", "-c", "cat /root/g /usr/bin/planted 2>&1; grep -c tenant /etc/motd; stat -c %u /usr/bin/git"],
    });
    assert.match(sees.stdout, /No such file[\s\S]*No such file[\s\S]*^0\n0\n$/m, sees.stdout);
    const { token: dbToken } = await app.core.destroy(actor, "db");
    await (await app.core.confirm(actor, dbToken)).wait();

    const { token } = await app.core.destroy(actor, "web");
    await (await app.core.confirm(actor, token)).wait();
    assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(` ${root} `), false, "the overlay is unmounted");
    assert.equal(existsSync(root), false);
    assert.deepEqual(await env.backend().list(), []);
  });
});
