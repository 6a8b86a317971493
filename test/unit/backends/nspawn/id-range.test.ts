/**
 * Picking a container's id range (`id-range.ts`) and the idmapped-bind program's checks, on
 * temporary files: the pick stays inside nspawn's window, skips every range the host or this
 * installation already uses, records the pick once per container, and gives up (undefined)
 * rather than reuse a taken range.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  NSPAWN_PICK_MAX,
  NSPAWN_PICK_MIN,
  recordedIdRange,
  releaseIdRange,
  reserveIdRange,
  takenIdRanges,
} from "../../../../src/runtimes/nspawn/id-range.js";
import { machinePaths, nspawnPaths } from "../../../../src/runtimes/nspawn/paths.js";
import { IDMAP_FAILED, idmappedBindScript, validIdRange } from "../../../../src/backends/storage/idmapped-bind.js";

const RANGE = 0x10000;

describe("container id ranges", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "vx-id-range-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const paths = nspawnPaths(path.join(scratch, "area"));
  const file = (name: string, content: string) => {
    const full = path.join(scratch, name);
    writeFileSync(full, content);
    return full;
  };
  const locks = path.join(scratch, "locks");
  mkdirSync(locks, { recursive: true });
  const sources = {
    locks,
    passwd: file(
      "passwd",
      `root:x:0:0::/root:/bin/sh\nsvc:x:${NSPAWN_PICK_MIN + 5}:${NSPAWN_PICK_MIN + 3 * RANGE}::/:/bin/false\n`,
    ),
    group: file("group", `root:x:0:\nbig:x:${NSPAWN_PICK_MIN + 4 * RANGE + 7}:\n`),
    subuid: file("subuid", `alice:${NSPAWN_PICK_MIN + 5 * RANGE + 100}:${2 * RANGE - 100}\n`),
    subgid: file("subgid", "garbage line\n"),
  };
  const machine = (name: string) => {
    const paths_ = machinePaths(paths, name);
    mkdirSync(paths_.run, { recursive: true });
    return paths_;
  };

  it("knows the ranges the host and this installation use", () => {
    writeFileSync(path.join(locks, String(NSPAWN_PICK_MIN + RANGE)), "");
    writeFileSync(path.join(machine("old").run, "id-range"), `${NSPAWN_PICK_MIN + 2 * RANGE}\n`);
    const taken = takenIdRanges(paths, sources);
    for (const slot of [0, 1, 2, 3, 4, 5, 6, 7])
      assert.equal(taken.has(NSPAWN_PICK_MIN + slot * RANGE), slot !== 7, `slot ${slot}`);
    assert.equal(taken.has(0), true, "root's own ids");
  });

  it("draws a free range in nspawn's window and records it for the container", () => {
    // The first eight draws land on taken slots; the ninth is free.
    const draws = [0, 1, 2, 3, 4, 5, 6, 0, 7];
    const web = machine("web");
    const picked = reserveIdRange(paths, web, { ...sources, random: () => draws.shift()! });
    assert.equal(picked, NSPAWN_PICK_MIN + 7 * RANGE);
    assert.equal(recordedIdRange(web), picked);
    assert.ok(validIdRange(picked) && picked <= NSPAWN_PICK_MAX);
    assert.throws(
      () => reserveIdRange(paths, web, { ...sources, random: () => 9 }),
      /EEXIST/,
      "one range per container",
    );
    assert.equal(takenIdRanges(paths, sources).has(picked), true, "the next container avoids it");
    releaseIdRange(web);
    assert.equal(recordedIdRange(web), undefined);
  });

  it("gives up rather than reuse a taken range, and the window's last slot is usable", () => {
    assert.equal(reserveIdRange(paths, machine("full"), { ...sources, random: () => 1 }), undefined);
    const slots = (NSPAWN_PICK_MAX - NSPAWN_PICK_MIN) / RANGE + 1;
    const last = reserveIdRange(paths, machine("last"), { ...sources, random: (n) => n - 1 });
    assert.equal(last, NSPAWN_PICK_MAX);
    assert.equal(slots > 28_000, true);
  });

  it("reads back only a plausible recorded range", () => {
    const odd = machine("odd");
    writeFileSync(path.join(odd.run, "id-range"), "12345\n");
    assert.equal(recordedIdRange(odd), undefined);
    writeFileSync(path.join(odd.run, "id-range"), "../../etc\n");
    assert.equal(recordedIdRange(odd), undefined);
  });
});

describe("the idmapped bind program", () => {
  it("accepts only 64K-aligned, non-zero ranges", () => {
    assert.equal(validIdRange(0x80000), true);
    for (const bad of [0, 0x80001, -RANGE, 0xffff0000, 1.5]) assert.equal(validIdRange(bad), false, String(bad));
  });

  it("refuses bad arguments itself before any system call", { skip: process.platform !== "linux" }, () => {
    for (const args of [
      ["relative", "/target", "524288"],
      ["/source", "/target", "524289"],
      ["/source", "/target", "0"],
      ["/source", "/target", "1e6"],
      ["/source", "/target"],
    ]) {
      const run = spawnSync("/usr/bin/perl", ["-e", idmappedBindScript(), "--", ...args], { encoding: "utf8" });
      assert.equal(run.status, IDMAP_FAILED, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /^voxnix: idmapped mount: bad/);
    }
    assert.throws(() => idmappedBindScript("ia32"), /not available/);
    assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes("/target"), false);
  });
});
