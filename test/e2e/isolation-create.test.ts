/**
 * Isolation where it is easiest to get wrong, on real nspawn, btrfs and the host's cgroups, through
 * the bundled CLI: a limit the kernel refuses while a container is created, and a container root
 * made before user namespaces existed (files owned by the host's uids) booting under them.
 *
 * The threat model (docs/security.md): a container must never run with fewer limits than its owner
 * is charged for, and nothing a tenant left in their root may steer what the host does with it.
 *
 * The kernel is made to refuse for real, without touching anything shared: a group planted below
 * the container's own cgroup (a CPU quota larger than the one asked for, a process whose memory
 * exceeds the limit) triggers the same kernel checks that an admin's quota on the `voxnix` parent
 * group or a stray process from an earlier run would.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { cgroupName } from "../../src/runtimes/nspawn/paths.js";
import {
  createE2eEnv,
  e2eUnavailable,
  hostFootprint,
  voxnix,
  storySteps,
  waitUntil,
  type CliResult,
  type E2eEnv,
} from "./harness.js";

const skip =
  e2eUnavailable() ??
  (existsSync("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") && existsSync("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    ? undefined
    : "needs the cgroup v1 cpu and memory hierarchies");
const alice = ["--as", "local:alice"];
const V1 = "/sys/fs/cgroup";

describe(
  "isolation at create and at migration: refused limits, roots from before user namespaces",
  { skip, timeout: 20 * 60_000 },
  () => {
    let env: E2eEnv;
    let holder: ChildProcess | undefined;
    const { step, failed } = storySteps();
    const group = (name: string) => cgroupName(env.backend().paths, name);
    const rootOf = (name: string) => path.join(env.backend().paths.machines, name);
    const inAlice = (name: string, script: string): Promise<CliResult> =>
      voxnix(env, [...alice, "ctl", "exec", name, "--", "sh", "-c", script]);
    const victim = () => path.join(env.root, "host-victim");

    before(async () => {
      env = await createE2eEnv();
      writeFileSync(victim(), "host file, untouched\n");
    });
    after(async () => {
      holder?.kill("SIGKILL");
      await env?.cleanup(failed());
    });

    const usage = async () =>
      (
        JSON.parse((await voxnix(env, [...alice, "ctl", "storage", "--json"])).stdout) as {
          result: { usage: { usedBytes: number } };
        }
      ).result.usage.usedBytes;

    /** What a failed create must not leave: a container, a root, a lease, a row, an interface, a process or a group. */
    const assertNothingLeft = async (name: string, usedBefore: number) => {
      const list = await voxnix(env, [...alice, "ctl", "list", "--json"]);
      assert.doesNotMatch(list.stdout, new RegExp(`"${name}"`), `no workload ${name} is listed: ${list.stdout}`);
      assert.equal((await voxnix(env, [...alice, "ctl", "show", name])).code, 3, "show finds nothing");
      const footprint = await hostFootprint(env, [name]);
      assert.deepEqual(footprint.interfaces, [], "no veth is left");
      assert.equal(footprint.processes, 0, "no nspawn ran or runs");
      assert.ok(
        !footprint.machines.includes(name) && !footprint.subvolumes.some((volume) => volume.endsWith(`/${name}`)),
        `no root is left: ${JSON.stringify(footprint)}`,
      );
      assert.ok(!existsSync(path.join(env.backend().paths.run, name)), "no run directory is left");
      assert.ok(
        !existsSync(path.join(path.dirname(env.backend().paths.root), "users", "local_alice", name)),
        "no workspace is left",
      );
      const db = new Database(path.join(env.env.VOXNIX_STATE_DIR!, "voxnix.db"), { readonly: true });
      try {
        assert.equal(
          (db.prepare("SELECT count(*) AS n FROM address_leases WHERE workload = ?").get(name) as { n: number }).n,
          0,
          "no address lease is left",
        );
        assert.equal(
          (db.prepare("SELECT count(*) AS n FROM workloads WHERE name = ?").get(name) as { n: number }).n,
          0,
          "no workload row is left",
        );
      } finally {
        db.close();
      }
      for (const hierarchy of ["memory", "cpu", "pids", "devices", "systemd", "unified"]) {
        const directory = path.join(V1, hierarchy, group(name));
        if (holder !== undefined && hierarchy === "memory") {
          // The memory step's planted group stays while its process lives; nothing joined it.
          assert.equal(
            readFileSync(path.join(directory, "cgroup.procs"), "utf8"),
            "",
            "nothing runs in the container's memory group",
          );
          assert.equal(
            readFileSync(path.join(directory, "held", "cgroup.procs"), "utf8").trim(),
            String(holder.pid),
            "only the planted process is below it",
          );
        } else assert.ok(!existsSync(directory), `no ${hierarchy} group is left`);
      }
      // The snapshot was made and deleted; btrfs settles its quota numbers on the next commit.
      let now = await usage();
      for (let attempt = 0; attempt < 20 && now !== usedBefore; attempt++) {
        await env.runner.run("btrfs", ["filesystem", "sync", path.dirname(env.backend().paths.root)], {
          timeoutMs: 30_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        now = await usage();
      }
      assert.equal(now, usedBefore, "the owner's storage usage is what it was");
    };

    step("migration: a root used before user namespaces boots confined, and its files keep their owners", async () => {
      const created = await voxnix(env, [...alice, "ctl", "create", "old", "--no-workspace"]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      assert.equal((await voxnix(env, [...alice, "ctl", "stop", "old"])).code, 0);
      const root = rootOf("old");
      // What the container's root did before user namespaces: run as the host's root in the tree
      // (the old exec path), adding a user and files owned by host uids 0 and 1000.
      const old = await env.runner.run(
        "systemd-nspawn",
        [
          "--quiet",
          "--register=no",
          "--keep-unit",
          "--private-network",
          `--directory=${root}`,
          "--pipe",
          "/bin/sh",
          "-c",
          "useradd -m -u 1000 olduser && echo mine > /home/olduser/notes && chown olduser:olduser /home/olduser/notes && chmod 600 /home/olduser/notes && echo old-root > /root/old-root-file && chmod 600 /root/old-root-file",
        ],
        { timeoutMs: 120_000 },
      );
      assert.equal(old.exitCode, 0, old.stderr);
      // And a pre-userns tenant's links into the host and a setuid-root copy of a shell.
      symlinkSync(victim(), path.join(root, "home/olduser/host-link"));
      lchownSync(path.join(root, "home/olduser/host-link"), 1000, 1000);
      assert.equal(lstatSync(path.join(root, "home/olduser/notes")).uid, 1000);

      const started = await voxnix(env, [...alice, "ctl", "start", "old"]);
      assert.equal(started.code, 0, started.stdout + started.stderr);
      const map = await inAlice("old", "cat /proc/self/uid_map");
      const [, base = 0, count] = map.stdout.trim().split(/\s+/).map(Number);
      assert.ok(base >= 65536 && count === 65536, `root inside is an unprivileged host range: ${map.stdout}`);
      const inside = await inAlice(
        "old",
        "stat -c '%U %u' /home/olduser/notes /root/old-root-file /etc/passwd && cat /root/old-root-file && su olduser -s /bin/sh -c 'cat ~/notes; echo more >> ~/notes' && echo after > /etc/written-after && (cat /home/olduser/host-link 2>&1 || true)",
      );
      assert.equal(inside.code, 0, inside.stdout + inside.stderr);
      const lines = inside.stdout.split("\n");
      assert.deepEqual(lines.slice(0, 5), ["olduser 1000", "root 0", "root 0", "old-root", "mine"], inside.stdout);
      assert.doesNotMatch(
        inside.stdout,
        /host file, untouched/,
        "a link into the host resolves inside the container, not on the host",
      );
      // On disk nothing was chowned: the ids are mapped at the mount.
      assert.equal(lstatSync(path.join(root, "home/olduser/notes")).uid, 1000);
      assert.equal(readFileSync(path.join(root, "home/olduser/notes"), "utf8"), "mine\nmore\n");
      assert.equal(lstatSync(path.join(root, "etc/written-after")).uid, 0);
      assert.equal(lstatSync(root).uid, 0, "the root's top directory stays the host's root");
      assert.equal(readFileSync(victim(), "utf8"), "host file, untouched\n");
      const leader = Number(readFileSync(path.join(env.backend().paths.run, "old", "leader.pid"), "utf8"));
      assert.match(
        readFileSync(`/proc/${leader}/status`, "utf8"),
        new RegExp(`^Uid:\\s+${base}\\s`, "m"),
        "its PID 1 runs as the unprivileged id",
      );
      // Stopped, so its root holds still while the next steps compare the owner's usage.
      assert.equal((await voxnix(env, [...alice, "ctl", "stop", "old"])).code, 0);
    });

    step(
      "migration: a root whose top directory a tenant gave to another id range boots mapped, chowning nothing",
      async () => {
        const root = rootOf("old");
        // Before user namespaces a tenant was the host's root and could chown their own `/`. nspawn
        // reads the id range off that directory, so it would pick the range (or chown the whole tree
        // into a new one, following the tree the tenant built).
        lchownSync(root, 0x20000, 0x20000);
        const hostLink = path.join(root, "home/olduser/chown-me");
        symlinkSync(victim(), hostLink);
        const started = await voxnix(env, [...alice, "ctl", "start", "old"]);
        assert.equal(started.code, 0, started.stdout + started.stderr);
        const inside = await inAlice("old", "stat -c '%U %u' / /home/olduser/notes && echo again > /etc/written-again");
        assert.equal(inside.code, 0, inside.stdout + inside.stderr);
        assert.equal(inside.stdout, "root 0\nolduser 1000\n");
        assert.equal(lstatSync(root).uid, 0, "the top directory is the host's root again");
        assert.equal(lstatSync(path.join(root, "home/olduser/notes")).uid, 1000, "nothing in the tree was chowned");
        assert.equal(lstatSync(path.join(root, "etc/written-again")).uid, 0);
        assert.deepEqual(
          [lstatSync(victim()).uid, lstatSync(victim()).gid],
          [0, 0],
          "the host file a link points to keeps its owner",
        );
        assert.equal(readFileSync(victim(), "utf8"), "host file, untouched\n");
        assert.equal((await voxnix(env, [...alice, "ctl", "stop", "old"])).code, 0);
      },
    );

    step("limits: a CPU quota the kernel refuses fails the create, and nothing is left or charged", async () => {
      const before = await usage();
      // cgroup v1 requires every quota below a group to fit within the group's own (the rule an
      // admin's quota on the voxnix parent group triggers): a 1-CPU child makes 0.5 CPU invalid.
      const planted = path.join(V1, "cpu", group("capped"), "held");
      mkdirSync(planted, { recursive: true });
      writeFileSync(path.join(planted, "cpu.cfs_quota_us"), "100000");
      const created = await voxnix(env, [...alice, "ctl", "create", "capped", "--cpu", "0.5"]);
      assert.equal(created.code, 1, created.stdout + created.stderr);
      assert.match(created.stderr, /cpu limit could not be applied \(0\.5 CPUs\).*not started/i, created.stderr);
      assert.match(created.stderr, /invalid argument/i, "the kernel's reason is shown");
      await assertNothingLeft("capped", before);
    });

    // With swap the kernel would push the held memory out and apply the limit instead of refusing.
    const swapOn = readFileSync("/proc/swaps", "utf8").trim().split("\n").length > 1;
    it(
      "limits: a memory limit below what the group already holds fails the create, and nothing is left or charged",
      { skip: swapOn ? "the host has swap" : undefined },
      async () => {
        const before = await usage();
        const planted = path.join(V1, "memory", group("hungry"), "held");
        mkdirSync(planted, { recursive: true });
        // A process holding 96 MiB of anonymous memory (this host has no swap to push it to) in the
        // container's group: a 64 MiB limit cannot be met and the kernel answers EBUSY.
        holder = spawn(
          "/usr/bin/perl",
          [
            "-e",
            '$| = 1; open my $f, ">", $ARGV[0] or die; print $f $$; close $f; my $x = "a" x (96 * 1024 * 1024); print "ready\\n"; sleep 600',
            path.join(planted, "cgroup.procs"),
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        const ready = await new Promise<boolean>((resolve) => {
          holder?.stdout?.once("data", () => resolve(true));
          holder?.once("close", () => resolve(false));
        });
        assert.ok(ready, "the planted process joined the group and holds its memory");
        assert.ok(
          Number(readFileSync(path.join(V1, "memory", group("hungry"), "memory.usage_in_bytes"), "utf8")) >
            90 * 1024 ** 2,
          "the group holds the memory",
        );
        const created = await voxnix(env, [...alice, "ctl", "create", "hungry", "--memory", "64M"]);
        assert.equal(created.code, 1, created.stdout + created.stderr);
        assert.match(
          created.stderr,
          /memory limit could not be applied \(67108864 bytes\).*not started/i,
          created.stderr,
        );
        assert.match(created.stderr, /busy/i, "the kernel's reason (EBUSY) is shown");
        await assertNothingLeft("hungry", before);
        holder.kill("SIGKILL");
        await new Promise((resolve) => holder?.once("close", resolve));
        holder = undefined;
        assert.ok(
          await waitUntil(() => {
            try {
              rmdirSync(planted);
              rmdirSync(path.dirname(planted));
              return true;
            } catch {
              return false;
            }
          }, 10_000),
          "the planted group goes once its process is gone",
        );
      },
    );

    step("limits: once nothing refuses, the same names create with their limits in force", async () => {
      const created = await voxnix(env, [
        ...alice,
        "ctl",
        "create",
        "capped",
        "--cpu",
        "0.5",
        "--memory",
        "128M",
        "--no-workspace",
      ]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      assert.equal(readFileSync(path.join(V1, "cpu", group("capped"), "cpu.cfs_quota_us"), "utf8").trim(), "50000");
      assert.equal(
        readFileSync(path.join(V1, "memory", group("capped"), "memory.limit_in_bytes"), "utf8").trim(),
        String(128 * 1024 ** 2),
      );
      assert.equal((await voxnix(env, [...alice, "ctl", "destroy", "capped", "--yes"])).code, 0);
    });
  },
);
