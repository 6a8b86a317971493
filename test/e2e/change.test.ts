/**
 * Changing a running container on real systemd-nspawn (issue 13): it gains a module and a CPU
 * through `voxnix ctl set` and through `voxnix say`, restarting with the new settings and
 * keeping the file in its workspace; a limits-only change applies while it runs; the
 * workspace's size limit changes while it runs (the btrfs qgroup limit the kernel enforces),
 * never below what it holds; and a change whose voxnix process is killed with SIGKILL
 * half-way is put back on the stored spec by the next run's start-up recovery and reported.
 * Needs root; skipped elsewhere.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { cgroupName } from "../../src/runtimes/nspawn/paths.js";
import { after, before, describe } from "node:test";
import { createE2eEnv, e2eUnavailable, startVoxnix, storySteps, voxnix, waitUntil, type E2eEnv } from "./harness.js";
import { machinePaths } from "../../src/runtimes/nspawn/index.js";

const skip = e2eUnavailable();
const alice = ["--as", "local:alice"];

describe("change a running container (nspawn)", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  const { step, failed } = storySteps();

  before(async () => {
    env = await createE2eEnv();
  });
  after(async () => {
    await env?.cleanup(failed());
  });

  const inWeb = async (script: string): Promise<string> => {
    const result = await voxnix(env, [...alice, "ctl", "exec", "web", "--", "sh", "-c", script]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  // The CPU quota the kernel enforces on web's control group (cgroup v2 cpu.max, or v1's quota).
  const cpuMax = (): string => {
    const group = cgroupName(env.backend().paths, "web");
    if (existsSync(`/sys/fs/cgroup/${group}/cpu.max`))
      return readFileSync(`/sys/fs/cgroup/${group}/cpu.max`, "utf8").trim();
    return `${readFileSync(`/sys/fs/cgroup/cpu/${group}/cpu.cfs_quota_us`, "utf8").trim()} 100000`;
  };

  step("creates web with git and writes a file into its workspace", async () => {
    const created = await voxnix(env, [...alice, "ctl", "create", "web", "--module", "git"]);
    assert.equal(created.code, 0, created.stderr);
    await inWeb("echo kept > /workspace/note.txt");
    assert.equal(await inWeb("getent passwd root | cut -d: -f7"), "/bin/bash");
  });

  step("ctl set plans first: --dry-run changes nothing, and a restart asks for confirmation (exit 4)", async () => {
    const planned = await voxnix(env, [
      ...alice,
      "ctl",
      "set",
      "web",
      "--module",
      "+fish",
      "--cpu",
      "2",
      "--dry-run",
      "--json",
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = (
      JSON.parse(planned.stdout) as { result: { change: { restart: boolean; changes: { field: string }[] } } }
    ).result.change;
    assert.equal(plan.restart, true);
    assert.deepEqual(
      plan.changes.map((change) => change.field),
      ["modules", "cpus"],
    );
    const asked = await voxnix(env, [...alice, "ctl", "set", "web", "--module", "+fish", "--cpu", "2"]);
    assert.equal(asked.code, 4, asked.stderr);
    assert.match(asked.stderr + asked.stdout, /Changing "web" needs confirmation/);
    assert.equal(await inWeb("getent passwd root | cut -d: -f7"), "/bin/bash", "nothing changed yet");
  });

  step("ctl set --yes: web restarts with fish and 2 CPUs and keeps its workspace file", async () => {
    const changed = await voxnix(env, [
      ...alice,
      "ctl",
      "set",
      "web",
      "--module",
      "+fish",
      "--cpu",
      "2",
      "--yes",
      "--json",
    ]);
    assert.equal(changed.code, 0, changed.stderr);
    const result = (
      JSON.parse(changed.stdout) as {
        result: {
          restarted: boolean;
          view: { live: string; spec: { modules: string[]; resources: { cpus: number } } };
        };
      }
    ).result;
    assert.equal(result.restarted, true);
    assert.equal(result.view.live, "running");
    assert.deepEqual(result.view.spec.modules, ["git", "workspace", "fish"]);
    assert.equal(result.view.spec.resources.cpus, 2);
    assert.equal(await inWeb("getent passwd root | cut -d: -f7"), "/usr/bin/fish");
    assert.equal(await inWeb("cat /workspace/note.txt"), "kept");
    assert.equal(cpuMax(), "200000 100000");
  });

  step("a limits-only change applies while web runs, without a restart or a confirmation", async () => {
    const before = await inWeb("cat /proc/1/stat | cut -d' ' -f22");
    const changed = await voxnix(env, [...alice, "ctl", "set", "web", "--cpu", "1.5", "--json"]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal((JSON.parse(changed.stdout) as { result: { restarted: boolean } }).result.restarted, false);
    assert.equal(cpuMax(), "150000 100000");
    assert.equal(await inWeb("cat /proc/1/stat | cut -d' ' -f22"), before, "the same init: no restart");
  });

  step(
    "through chat: `voxnix say` adds devtools and a CPU, confirmed with --yes; the file is still there",
    async () => {
      const dry = await voxnix(env, [...alice, "say", "--dry-run", "--json", "add devtools to web"]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /devtools/);
      const said = await voxnix(env, [...alice, "say", "--yes", "add devtools to web and give it 2 CPUs"]);
      assert.equal(said.code, 0, said.stderr + said.stdout);
      const shown = await voxnix(env, [...alice, "ctl", "show", "web", "--json"]);
      const spec = (
        JSON.parse(shown.stdout) as { result: { spec: { modules: string[]; resources: { cpus: number } } } }
      ).result.spec;
      assert.ok(spec.modules.includes("devtools"), JSON.stringify(spec));
      assert.equal(spec.resources.cpus, 2);
      assert.equal(await inWeb("cat /workspace/note.txt"), "kept");
      assert.equal(await inWeb("getent passwd root | cut -d: -f7"), "/usr/bin/fish");
    },
  );

  step(
    "the workspace size changes while web runs: the new limit holds at once, and below what it holds is refused",
    async () => {
      const init = await inWeb("cat /proc/1/stat | cut -d' ' -f22");
      const small = await voxnix(env, [...alice, "ctl", "set", "web", "--workspace-size", "48M", "--json"]);
      assert.equal(small.code, 0, small.stderr);
      const result = (
        JSON.parse(small.stdout) as { result: { restarted: boolean; changes: { field: string; after: string }[] } }
      ).result;
      assert.equal(result.restarted, false);
      assert.deepEqual(result.changes, [{ field: "workspace size", before: "no limit", after: "48M" }]);
      // The kernel enforces it on the running container: 64M do not fit.
      const full = await voxnix(env, [
        ...alice,
        "ctl",
        "exec",
        "web",
        "--",
        "sh",
        "-c",
        "dd if=/dev/zero of=/workspace/big bs=1M count=64 conv=fsync 2>&1; echo rc=$?",
      ]);
      assert.match(full.stdout, /Disk quota exceeded|rc=1/, full.stdout + full.stderr);
      await inWeb("rm -f /workspace/big; sync");
      const grown = await voxnix(env, [...alice, "ctl", "set", "web", "--workspace-size", "160M", "--json"]);
      assert.equal(grown.code, 0, grown.stderr);
      assert.equal(
        await inWeb("dd if=/dev/zero of=/workspace/big bs=1M count=64 conv=fsync 2>/dev/null && sync && echo ok"),
        "ok",
      );
      const shrink = await voxnix(env, [...alice, "ctl", "set", "web", "--workspace-size", "16M", "--json"]);
      assert.equal(shrink.code, 2, shrink.stdout + shrink.stderr);
      assert.match(shrink.stdout, /already holds .*, more than 16M/);
      const shown = await voxnix(env, [...alice, "ctl", "show", "web", "--json"]);
      assert.equal(
        (JSON.parse(shown.stdout) as { result: { spec: { workspace: { sizeBytes: number } } } }).result.spec.workspace
          .sizeBytes,
        160 * 1024 ** 2,
      );
      assert.equal(await inWeb("cat /workspace/note.txt"), "kept");
      assert.equal(await inWeb("cat /proc/1/stat | cut -d' ' -f22"), init, "the same init: no restart");
      await inWeb("rm -f /workspace/big");
    },
  );

  step(
    "a change killed half-way (SIGKILL) is put back on the stored spec at the next start, and reported",
    async () => {
      const machine = machinePaths(env.backend().paths, "web");
      const child = startVoxnix(env, [...alice, "ctl", "set", "web", "--module=-fish", "--yes"]);
      // The runtime writes the new spec, then powers the container off to boot it with it: kill in between.
      const reached = await waitUntil(
        () => existsSync(machine.specFile) && !readFileSync(machine.specFile, "utf8").includes('"fish"'),
        120_000,
      );
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      assert.ok(reached, "the killed change had begun (the test is meaningful)");
      const reconciled = await voxnix(env, ["ctl", "reconcile"]);
      assert.equal(reconciled.code, 0, reconciled.stdout + reconciled.stderr);
      assert.match(reconciled.stdout, /web: rolled back the interrupted change/);
      const shown = await voxnix(env, [...alice, "ctl", "show", "web", "--json"]);
      const view = (JSON.parse(shown.stdout) as { result: { live: string; spec: { modules: string[] } } }).result;
      assert.equal(view.live, "running");
      assert.ok(view.spec.modules.includes("fish"), JSON.stringify(view.spec));
      assert.ok(readFileSync(machine.specFile, "utf8").includes('"fish"'), "the host has the stored spec again");
      assert.equal(await inWeb("getent passwd root | cut -d: -f7"), "/usr/bin/fish");
      assert.equal(await inWeb("cat /workspace/note.txt"), "kept");
      // And it can be changed again.
      const again = await voxnix(env, [...alice, "ctl", "set", "web", "--cpu", "1", "--json"]);
      assert.equal(again.code, 0, again.stderr);
    },
  );
});
