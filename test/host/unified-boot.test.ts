/**
 * The container side of a pure cgroup v2 host, on this hybrid one: the base image booted by
 * systemd-nspawn with voxnix's boot arguments (user namespace, idmapped root and binds) and
 * `SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1`, so the container's systemd sees only a cgroup2
 * hierarchy (its group in the host's `/sys/fs/cgroup/unified`, delegated to its own root), as it
 * would on a pure v2 host. The exec entry must work in it, and the limits voxnix wrote must
 * still hold every process of it.
 *
 * Not shown here (docs/nspawn.md, "cgroup v2"): voxnix's own pure-v2 limit writes (`memory.max`,
 * `cpu.max`, `pids.max`), which need the memory, cpu and pids controllers on the v2 side; this
 * host binds them to v1 hierarchies, and moving them means rebooting.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { prepareCgroups, removeCgroups, cgroupProcsFiles } from "../../src/runtimes/nspawn/cgroups.js";
import { LAUNCHER_SHELL, launcherArgs } from "../../src/runtimes/nspawn/launcher.js";
import { nspawnBootArgs } from "../../src/runtimes/nspawn/nspawn-cli.js";
import { cgroupName, machinePaths } from "../../src/runtimes/nspawn/paths.js";
import { machineUuid, prepareRootForBoot, writeBootFiles } from "../../src/runtimes/nspawn/rootfs.js";
import { killNspawn, waitForBoot } from "../../src/runtimes/nspawn/supervisor.js";
import { parseSubnet } from "../../src/runtimes/nspawn/network.js";
import type { ContainerSpec } from "../../src/domain/spec.js";
import { createE2eEnv, e2eUnavailable, voxnix, type E2eEnv } from "../e2e/harness.js";

const hybrid = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/unified ");
const skip =
  e2eUnavailable() ?? (hybrid ? undefined : "needs a hybrid cgroup host (a pure v2 host boots unified anyway)");

describe("a container whose systemd sees only cgroup v2, on a hybrid host", { skip, timeout: 10 * 60_000 }, () => {
  let env: E2eEnv;
  let pid: number | undefined;
  const name = "unified";
  const group = () => cgroupName(env.backend().paths, name);
  const machine = () => machinePaths(env.backend().paths, name);
  const inside = async (script: string) =>
    env.backend().exec(name as never, ["sh", "-c", script], { timeoutMs: 60_000 });

  before(async () => {
    env = await createE2eEnv();
    const created = await voxnix(env, ["ctl", "create", name, "--no-workspace", "--memory", "256M", "--pids", "300"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    assert.equal((await voxnix(env, ["ctl", "stop", name])).code, 0);
  });
  after(async () => {
    if (pid !== undefined) await killNspawn(machine(), pid);
    removeCgroups(group());
    await env?.cleanup(false);
  });

  it("boots under user namespaces with a unified hierarchy inside, and exec and the limits work", async () => {
    const spec = JSON.parse(readFileSync(machine().specFile, "utf8")) as ContainerSpec;
    const files = writeBootFiles(machine(), {
      spec,
      network: { interfaceName: "host0", address: "10.0.0.2", subnet: parseSubnet("10.0.0.0/24") },
    }).filter((file) => !file.containerPath.includes("network"));
    prepareRootForBoot(
      machine().root,
      files.map((file) => file.containerPath),
    );
    const enforced = await prepareCgroups(env.runner, group(), { cpus: 1, memoryBytes: 256 * 1024 ** 2, pids: 300 });
    const args = [
      "--private-network",
      ...nspawnBootArgs({ name, root: machine().root, files, uuid: machineUuid(machine()) }),
    ];
    // What spawnNspawn does, with the one variable that asks nspawn for a unified hierarchy.
    const child = spawn(
      LAUNCHER_SHELL,
      launcherArgs(cgroupProcsFiles(group(), "nspawn"), ["systemd-nspawn", ...args]),
      {
        detached: true,
        stdio: "ignore",
        env: {
          PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
          LANG: "C.UTF-8",
          SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "1",
        },
      },
    );
    child.unref();
    pid = child.pid;
    assert.ok(pid !== undefined);
    writeFileSync(machine().pidFile, `${pid}\n`);
    const leader = await waitForBoot(machine(), pid, 120_000);

    const seen = await inside(
      "stat -fc %T /sys/fs/cgroup; systemctl is-system-running; systemctl --failed --no-legend --plain | wc -l; awk '{print $2}' /proc/self/uid_map",
    );
    assert.equal(seen.exitCode, 0, seen.stderr);
    const [fsType, state, failedUnits, base] = seen.stdout.trim().split("\n");
    assert.equal(fsType, "cgroup2fs", "the container's /sys/fs/cgroup is a cgroup2 file system");
    assert.equal(state, "running", `systemd reached running with ${failedUnits} failed units: ${seen.stdout}`);
    assert.ok(Number(base) >= 65536, "root inside is an unprivileged host range");
    // The kernel still lists the v1 hierarchies in /proc (at the namespace's root); systemd keeps
    // its units in the unified one, below the container's delegated group.
    const pid1 = (await inside("cat /proc/1/cgroup; ls -d /sys/fs/cgroup/system.slice/*.service | head -3")).stdout;
    assert.match(pid1, /^0::\/init\.scope$/m, pid1);
    assert.match(pid1, /\.service$/m, `the container's systemd manages its services in the unified tree: ${pid1}`);
    const hostSide = readFileSync(`/proc/${leader}/cgroup`, "utf8");
    assert.match(
      hostSide,
      new RegExp(`^0::/${group()}/`, "m"),
      `on the host its PID 1 sits below the container's unified group: ${hostSide}`,
    );

    // The limits are v1 here: every process of the container, including an exec'd one, is under them.
    const memory = path.join("/sys/fs/cgroup/memory", group());
    assert.equal(readFileSync(path.join(memory, "memory.limit_in_bytes"), "utf8").trim(), String(256 * 1024 ** 2));
    assert.match(
      readFileSync(`/proc/${leader}/cgroup`, "utf8"),
      new RegExp(`:memory:/${group()}(/|$)`, "m"),
      "its PID 1 is in the container's memory group",
    );
    const hog = await inside("dd if=/dev/zero of=/dev/null bs=400M count=1 2>/dev/null; echo $?");
    assert.equal(hog.stdout.trim(), "137", "an allocation above 256 MiB is killed inside");
    // Sampled from the host while the bomb runs (inside, at the limit, not even a count could fork).
    const counter = path.join("/sys/fs/cgroup/pids", group(), "pids.current");
    let settled = false;
    const bomb = inside("i=0; while [ $i -lt 400 ]; do sleep 20 & i=$((i+1)); done 2>/dev/null; sleep 3").finally(
      () => (settled = true),
    );
    let most = 0;
    while (!settled) {
      most = Math.max(most, Number(readFileSync(counter, "utf8")));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await bomb;
    assert.ok(most > 250 && most <= 300, `processes stopped at the container's limit of 300: peak ${most}`);
    assert.match(enforced.devices, /devices allow-list/);
    rmSync(machine().pidFile, { force: true });
  });
});
