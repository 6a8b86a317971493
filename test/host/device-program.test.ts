/**
 * The device allow-list on the cgroup v2 side, on the real kernel (root, a host with a unified
 * cgroup hierarchy; on this CI host that is the hybrid layout's `/sys/fs/cgroup/unified`, the
 * same kernel hook a pure v2 host uses). A process placed only in the container's unified
 * group (so the v1 devices controller plays no part) can open the pseudo-devices and cannot
 * open a block device or `/dev/kmsg`, also from a sub-group (where nspawn and the container's
 * systemd put their processes); the same opens work outside. The attach is refused, with the
 * kernel's reason, on a directory that is not a cgroup v2 group.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createCommandRunner } from "../../src/host/command-runner.js";
import {
  DEVICE_ALLOW_LIST,
  DEVICE_PROGRAM_ENFORCED,
  prepareCgroups,
  removeCgroups,
} from "../../src/runtimes/nspawn/cgroups.js";
import { DEVICE_PROGRAM_FAILED, attachScript, deviceProgram } from "../../src/runtimes/nspawn/device-program.js";
import { LAUNCHER_SHELL, launcherArgs } from "../../src/runtimes/nspawn/launcher.js";

function unifiedMount(): string | undefined {
  try {
    const line = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .find((entry) => entry.split(" - ")[1]?.startsWith("cgroup2 "));
    return line?.split(" ")[4];
  } catch {
    return undefined;
  }
}

const unified = unifiedMount();
const skip =
  process.getuid?.() !== 0 ? "needs root" : unified === undefined ? "needs a cgroup v2 (unified) hierarchy" : undefined;

describe("cgroup v2 device program on the real kernel", { skip, timeout: 60_000 }, () => {
  const group = `voxnix-test/devices-${process.pid}`;
  const scratch = skip ? "" : mkdtempSync("/var/tmp/vx-devices-");
  const loop = path.join(scratch, "loop0");
  after(() => {
    removeCgroups(group);
    removeCgroups("voxnix-test"); // the parent, when no other run still uses it
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Opens each path for reading from a process in `procs` only; returns "ok" or the error per path. */
  function opens(procs: readonly string[], files: readonly string[]): string[] {
    const probe = 'for f in "$@"; do if (exec 3<"$f") 2>/dev/null; then echo ok; else echo denied; fi; done';
    const result = spawnSync(LAUNCHER_SHELL, launcherArgs(procs, ["/bin/bash", "-c", probe, "probe", ...files]), {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split("\n");
  }

  it("is attached with every other limit, and show's wording says so", async () => {
    const enforced = await prepareCgroups(createCommandRunner(), group, {
      cpus: 1,
      memoryBytes: 256 * 1024 ** 2,
      pids: 64,
    });
    assert.ok(enforced.devices.includes(DEVICE_PROGRAM_ENFORCED), enforced.devices);
  });

  it("lets the pseudo-devices through and keeps a block device and /dev/kmsg out, in the group and below it", () => {
    assert.equal(spawnSync("mknod", [loop, "b", "7", "0"]).status, 0);
    const files = ["/dev/null", "/dev/zero", "/dev/urandom", loop, "/dev/kmsg"];
    assert.deepEqual(opens([], files), ["ok", "ok", "ok", "ok", "ok"], "outside the group every open works");
    const procs = path.join(unified!, group, "cgroup.procs");
    assert.deepEqual(opens([procs], files), ["ok", "ok", "ok", "denied", "denied"]);
    const below = path.join(unified!, group, "payload");
    mkdirSync(below, { recursive: true });
    assert.deepEqual(
      opens([path.join(below, "cgroup.procs")], files),
      ["ok", "ok", "ok", "denied", "denied"],
      "a sub-group inherits the program",
    );
  });

  it("is refused, with the reason, on a directory that is not a cgroup v2 group", () => {
    const notV2 =
      ["/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids"].find((candidate) => existsSync(candidate)) ??
      "/sys/fs/cgroup/voxnix-no-such-group";
    const result = spawnSync("/usr/bin/perl", ["-e", attachScript(deviceProgram(DEVICE_ALLOW_LIST)), "--", notV2], {
      encoding: "utf8",
    });
    assert.equal(result.status, DEVICE_PROGRAM_FAILED);
    assert.match(result.stderr, /voxnix: device program: (attach to|open) /);
    const outside = spawnSync("/usr/bin/perl", ["-e", attachScript(deviceProgram(DEVICE_ALLOW_LIST)), "--", "/tmp"], {
      encoding: "utf8",
    });
    assert.equal(outside.status, DEVICE_PROGRAM_FAILED, "only groups under /sys/fs/cgroup are taken");
  });
});
