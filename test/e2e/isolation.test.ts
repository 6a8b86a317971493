/**
 * Isolation under attack, on real nspawn and btrfs, as two approved tenants would try it
 * (`local:alice` the attacker, `local:bob` the victim) through the bundled CLI users run.
 *
 * The threat model, one step per attack class (docs/security.md): a tenant is root inside their
 * own container and controls every file in it, their journal and their chat text; the admin is
 * trusted. Every step asserts that the attack fails AND that nothing of the other tenant or the
 * host changed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import { cgroupName } from "../../src/runtimes/nspawn/paths.js";
import { createE2eEnv, e2eUnavailable, voxnix, storySteps, type CliResult, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const alice = ["--as", "local:alice"];
const bob = ["--as", "local:bob"];

describe("isolation: a tenant's root cannot reach the host or another tenant", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let hostService: Server | undefined;
  const { step, failed } = storySteps();
  /** Runs `sh -c script` in one of alice's containers. */
  const inAlice = (name: string, script: string): Promise<CliResult> =>
    voxnix(env, [...alice, "ctl", "exec", name, "--", "sh", "-c", script]);
  const rootOf = (name: string) => path.join(env.backend().paths.machines, name);
  const bobWorkspace = () => path.join(path.dirname(env.backend().paths.root), "users", "local_bob", "vault");
  const victimFile = () => path.join(env.root, "host-victim");

  before(async () => {
    env = await createE2eEnv({ diskQuota: "400M" });
    writeFileSync(victimFile(), "host file, untouched\n");
    for (const [who, name, extra] of [
      [alice, "evil", []],
      [bob, "vault", []],
    ] as const) {
      const created = await voxnix(env, [...who, "ctl", "create", name, "--module", "git", ...extra]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
    }
    const planted = await voxnix(env, [
      ...bob,
      "ctl",
      "exec",
      "vault",
      "--",
      "sh",
      "-c",
      "echo bob-secret > /workspace/secret && logger -t vault bob-journal-marker",
    ]);
    assert.equal(planted.code, 0, planted.stderr);
  });
  after(async () => {
    hostService?.close();
    await env?.cleanup(failed());
  });

  const bobUnchanged = () => {
    assert.equal(
      readFileSync(path.join(bobWorkspace(), "secret"), "utf8"),
      "bob-secret\n",
      "bob's workspace is untouched",
    );
    assert.equal(readFileSync(victimFile(), "utf8"), "host file, untouched\n", "the host file is untouched");
  };

  step("class 1: root inside maps to an unprivileged host id, without host capabilities", async () => {
    const map = await inAlice("evil", "cat /proc/self/uid_map");
    const [inside, outside, count] = map.stdout.trim().split(/\s+/).map(Number);
    assert.equal(inside, 0);
    assert.ok((outside ?? 0) >= 65536 && count === 65536, `root inside is a high, 64K-wide host range: ${map.stdout}`);
    const leader = Number(readFileSync(path.join(env.backend().paths.run, "evil", "leader.pid"), "utf8"));
    const status = readFileSync(`/proc/${leader}/status`, "utf8");
    assert.match(
      status,
      new RegExp(`^Uid:\\s+${outside}\\s`, "m"),
      "the host sees the container's PID 1 as that unprivileged id",
    );
  });

  step("class 1: device nodes, mounts, release_agent and /proc/sys stay out of reach", async () => {
    const attacks = [
      "mknod /tmp/disk b 7 0",
      "mknod /tmp/mem c 1 1",
      "mount -t btrfs /dev/loop0 /mnt",
      "mkdir -p /tmp/cg && mount -t cgroup -o memory cgroup /tmp/cg && echo /tmp/pwn > /tmp/cg/release_agent",
      "echo /tmp/pwn > /sys/fs/cgroup/memory/release_agent",
      "mount -o remount,rw /proc/sys && echo 1 > /proc/sys/kernel/sysrq",
      "mount -o remount,rw /sys",
      "echo 1 > /proc/sysrq-trigger",
    ];
    for (const attack of attacks) {
      const result = await inAlice("evil", attack);
      assert.notEqual(result.code, 0, `must fail: ${attack}\n${result.stdout}${result.stderr}`);
    }
    bobUnchanged();
  });

  step(
    "class 1: a device node that exists in the root (say, from before user namespaces) cannot be opened",
    async () => {
      const pool = readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((line) => line.split(" "))
        .find((fields) => fields[4] === path.dirname(env.backend().paths.root));
      const device = pool?.[2] ?? "7:0";
      const [major, minor] = device.split(":");
      // Planted by the test as host root: the situation a migrated container could be in.
      const planted = await env.runner.run(
        "mknod",
        [path.join(rootOf("evil"), "root", "pooldev"), "b", major ?? "7", minor ?? "0"],
        { timeoutMs: 10_000 },
      );
      assert.equal(planted.exitCode, 0, planted.stderr);
      const read = await inAlice("evil", "chmod 666 /root/pooldev; head -c 512 /root/pooldev | wc -c");
      assert.notEqual(
        read.stdout.trim(),
        "512",
        `reading the pool's block device must fail: ${read.stdout}${read.stderr}`,
      );
      // show says how the rule is enforced; where the host has a unified (v2) hierarchy the BPF
      // device program is one of them (the only one on pure v2; test/host/device-program.test.ts
      // tries it alone on the kernel).
      const show = await voxnix(env, ["ctl", "show", "evil", "--json"]);
      const limits = String(
        (JSON.parse(show.stdout) as { result: { facts?: { limits?: string } } }).result.facts?.limits,
      );
      assert.match(limits, /devices: [^;]*(cgroup v1 devices allow-list|cgroup v2 device program \(BPF\))/, limits);
      if (readFileSync("/proc/self/mountinfo", "utf8").includes(" - cgroup2 "))
        assert.match(limits, /devices: [^;]*cgroup v2 device program \(BPF\)/, limits);
      bobUnchanged();
    },
  );

  step(
    "class 2: nothing of a tenant's root runs before the container's PID 1 confines it (binaries, loader, libc)",
    async () => {
      // The tenant replaces every program an exec path could start from their root (the
      // bootstrap's old systemd-run and env, perl, nsenter, the shell) with a recorder, and
      // preloads a library into every dynamically linked process (the attack on the loader and
      // libc, without breaking them): each records its seccomp mode, bounding set and user
      // namespace, then carries on. After an admin's exec, an owner's exec and an interactive
      // shell, whatever ran must have run confined as PID 1 is: every seccomp filter PID 1 has,
      // the container's bounding set, the container's user namespace. Never outside them.
      const library = path.join(env.root, "recorder.so");
      const source = path.join(env.root, "recorder.c");
      writeFileSync(
        source,
        [
          "#include <fcntl.h>",
          "#include <stdio.h>",
          "#include <unistd.h>",
          "__attribute__((constructor)) static void record(void) {",
          '  char buf[8192], out[64]; int in = open("/proc/self/status", O_RDONLY); if (in < 0) return;',
          "  ssize_t n = read(in, buf, sizeof buf); close(in); if (n <= 0) return;",
          '  snprintf(out, sizeof out, "/root/evidence/preload-%d", (int)getpid());',
          "  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600); if (fd < 0) return;",
          "  if (write(fd, buf, (size_t)n) < 0) {} close(fd);",
          "}",
        ].join("\n"),
      );
      const compiled = await env.runner.run("cc", ["-shared", "-fPIC", "-O2", "-o", library, source], {
        timeoutMs: 60_000,
      });
      assert.equal(compiled.exitCode, 0, compiled.stderr);
      const workspace = path.join(path.dirname(env.backend().paths.root), "users", "local_alice", "evil");
      writeFileSync(path.join(workspace, "recorder.so"), readFileSync(library));
      const targets = ["/usr/bin/systemd-run", "/usr/bin/env", "/usr/bin/perl", "/usr/bin/nsenter", "/bin/sh"];
      // One printf argument per line, each single-quoted (the lines hold no single quote).
      const recorder = (target: string) =>
        [
          "#!/bin/bash",
          `{ grep -E "^(Seccomp|Seccomp_filters|CapBnd|NoNewPrivs):" /proc/self/status; cat /proc/self/uid_map; } > /root/evidence/${path.basename(target)}-$$`,
          `exec -a "$0" ${target}.real "$@"`,
        ]
          .map((line) => `'${line}'`)
          .join(" ");
      const install = [
        "set -e",
        "mkdir -p /root/evidence",
        ...targets.flatMap((target) => [
          `if [ -e ${target} ] || [ -L ${target} ]; then mv ${target} ${target}.real; else ln -s /bin/true ${target}.real; fi`,
          `printf '%s\\n' ${recorder(target)} > ${target}.new && chmod 755 ${target}.new && mv ${target}.new ${target}`,
        ]),
        "cp /workspace/recorder.so /usr/local/lib/recorder.so",
        "echo /usr/local/lib/recorder.so > /etc/ld.so.preload",
      ].join("\n");
      // Installed in one go by the tenant; /bin/bash (the recorders' interpreter) stays theirs too.
      const setup = await voxnix(env, [...alice, "ctl", "exec", "evil", "--", "bash", "-c", install]);
      assert.equal(setup.code, 0, setup.stdout + setup.stderr);
      await inAlice("evil", "rm -f /root/evidence/*");

      const admin = await voxnix(env, ["ctl", "exec", "evil", "--", "true"]);
      assert.equal(admin.code, 0, admin.stderr);
      // Through the tenant's (replaced) /bin/sh: the first program of theirs that runs.
      const owner = await voxnix(env, [...alice, "ctl", "exec", "evil", "--", "sh", "-c", "echo owner"]);
      assert.equal(owner.code, 0, owner.stderr);
      assert.equal(owner.stdout.trim(), "owner");
      // An interactive shell gets a pty in the container's devpts.
      const shell = await env.runner.run(
        "script",
        ["-qec", `${process.execPath} ${path.resolve("bin/voxnix.js")} ctl shell evil`, "/dev/null"],
        {
          env: env.env,
          input: "tty; exit 3\n",
          timeoutMs: 120_000,
        },
      );
      assert.match(shell.stdout, /\/dev\/pts\/\d+/, shell.stdout + shell.stderr);

      const report = await voxnix(env, [
        ...alice,
        "ctl",
        "exec",
        "evil",
        "--",
        "bash",
        "-c",
        "for f in /root/evidence/*; do echo \"== $f\"; cat \"$f\"; done; echo '== pid1'; grep -E '^(CapBnd|Seccomp_filters):' /proc/1/status",
      ]);
      assert.equal(report.code, 0, report.stderr);
      const sections = report.stdout.split(/^== /m).filter((section) => section.trim() !== "");
      const pid1 = sections.find((section) => section.startsWith("pid1"));
      const containerBounding = /CapBnd:\s*([0-9a-f]+)/.exec(pid1 ?? "")?.[1];
      assert.ok(containerBounding !== undefined, report.stdout);
      assert.notEqual(containerBounding, "000001ffffffffff", "nspawn narrowed PID 1's bounding set");
      const containerFilters = /Seccomp_filters:\s*(\d+)/.exec(pid1 ?? "")?.[1];
      assert.ok(containerFilters !== undefined && Number(containerFilters) > 0, report.stdout);
      const evidence = sections.filter((section) => section.startsWith("/root/evidence/"));
      assert.ok(
        evidence.some((section) => section.includes("/preload-")),
        "the preloaded library ran (the trap works)",
      );
      assert.ok(
        evidence.some((section) => section.includes("/sh-")),
        "the replaced shell ran as the command (the trap works)",
      );
      for (const section of evidence) {
        const name = section.split("\n")[0];
        assert.match(section, /^Seccomp:\s*2$/m, `${name} ran under the container's seccomp filter:\n${section}`);
        assert.match(
          section,
          new RegExp(`^Seccomp_filters:\\s*${containerFilters}$`, "m"),
          `${name} ran under every filter PID 1 has:\n${section}`,
        );
        assert.match(
          section,
          new RegExp(`^CapBnd:\\s*${containerBounding}$`, "m"),
          `${name} ran with the container's bounding set:\n${section}`,
        );
        assert.doesNotMatch(section, /^\s*0\s+0\s+4294967295$/m, `${name} never ran in the host's user namespace`);
      }
      for (const program of ["systemd-run", "perl", "nsenter", "env"]) {
        assert.ok(
          !evidence.some((section) => section.includes(`/${program}-`)),
          `the tenant's ${program} never ran for an exec`,
        );
      }
      const restore = await voxnix(env, [
        ...alice,
        "ctl",
        "exec",
        "evil",
        "--",
        "bash",
        "-c",
        [
          "rm -f /etc/ld.so.preload",
          ...targets.map((target) => `mv ${target}.real ${target}`),
          "rm -rf /root/evidence",
        ].join("; "),
      ]);
      assert.equal(restore.code, 0, restore.stderr);
      bobUnchanged();
    },
  );

  step(
    "class 2: exec speaks no protocol with the container (its bus and systemd sockets replaced by a tenant's listener)",
    async () => {
      // The D-Bus entry had the host's systemd-run parse replies from the container's bus. Now
      // the tenant replaces the bus socket with a listener that records every connection, and
      // moves systemd's private socket away: execs of the admin and the owner still work, and
      // nothing connected.
      const listener = [
        "use IO::Socket::UNIX;",
        "my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => '/run/dbus/system_bus_socket', Listen => 5) or die $!;",
        "open(my $ready, '>', '/root/bus-listening'); close($ready);",
        "while (my $c = $s->accept) { open(my $f, '>>', '/root/bus-touched'); print $f \"connection\\n\"; close($f); close($c) }",
      ].join("\n");
      writeFileSync(
        path.join(path.dirname(env.backend().paths.root), "users", "local_alice", "evil", "bus-listener.pl"),
        `${listener}\n`,
      );
      const setup = await inAlice(
        "evil",
        [
          "systemctl stop dbus.socket dbus.service",
          "rm -f /run/dbus/system_bus_socket /root/bus-touched /root/bus-listening",
          "mv /run/systemd/private /run/systemd/private.away",
          "setsid -f perl /workspace/bus-listener.pl </dev/null >/dev/null 2>&1",
          "for i in $(seq 50); do [ -e /root/bus-listening ] && break; sleep 0.1; done; ls /root/bus-listening",
        ].join("; "),
      );
      assert.equal(setup.code, 0, setup.stdout + setup.stderr);
      const admin = await voxnix(env, ["ctl", "exec", "evil", "--", "echo", "admin-ran"]);
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal(admin.stdout.trim(), "admin-ran");
      const owner = await inAlice("evil", "echo owner-ran; cat /root/bus-touched 2>/dev/null; echo end");
      assert.equal(owner.code, 0, owner.stderr);
      assert.equal(owner.stdout.trim(), "owner-ran\nend", `nothing connected to the tenant's bus: ${owner.stdout}`);
      const restore = await inAlice(
        "evil",
        "pkill -f '^perl /workspace/bus-listener'; rm -f /workspace/bus-listener.pl /run/dbus/system_bus_socket /root/bus-touched /root/bus-listening; mv /run/systemd/private.away /run/systemd/private; systemctl start dbus.socket",
      );
      assert.equal(restore.code, 0, restore.stdout + restore.stderr);
      bobUnchanged();
    },
  );

  step("class 2: the command's secrets never appear on a host command line", async () => {
    const secret = `tok${Math.random().toString(36).slice(2)}`;
    const child = spawn(
      process.execPath,
      [path.resolve("bin/voxnix.js"), ...alice, "ctl", "exec", "evil", "--", "sh", "-c", `sleep 3 # ${secret}`],
      { env: env.env, stdio: "ignore" },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seen: string[] = [];
    const ps = await env.runner.run("ps", ["-eo", "pid,args"], { timeoutMs: 10_000 });
    // The person's own `voxnix ctl exec …` line is theirs; voxnix's wrappers must carry nothing.
    for (const line of ps.stdout.split("\n"))
      if (line.includes(secret) && /perl|nsenter|systemd-run|voxnix-launch|voxnix-exec|voxnix-enter/.test(line))
        seen.push(line);
    await new Promise((resolve) => child.on("close", resolve));
    assert.deepEqual(seen, [], "no host-side wrapper carries the command's words");
  });

  step("class 3: symlinks planted where the host used to write are never followed", async () => {
    const victim = victimFile();
    const secret = path.join(bobWorkspace(), "secret");
    // Whatever a tenant leaves in their root is what the host finds at the next boot: planted
    // here while the container is stopped, exactly as the tenant could have left it.
    assert.equal((await voxnix(env, [...alice, "ctl", "stop", "evil"])).code, 0);
    const root = rootOf("evil");
    const plant = (inside: string, target: string) => {
      rmSync(path.join(root, inside), { recursive: true, force: true });
      mkdirSync(path.dirname(path.join(root, inside)), { recursive: true });
      symlinkSync(target, path.join(root, inside));
    };
    plant("etc/hostname", victim);
    plant("etc/hosts", victim);
    plant("etc/machine-id", secret);
    plant("etc/systemd/network/80-voxnix.network", victim);
    plant("etc/voxnix", path.dirname(secret));
    plant("etc/resolv.conf", victim);
    plant("etc/localtime", victim);
    const started = await voxnix(env, [...alice, "ctl", "start", "evil"]);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    bobUnchanged();
    assert.ok(!existsSync(path.join(bobWorkspace(), "modules")), "nothing was written into bob's workspace");
    const hostname = await inAlice("evil", "hostname");
    assert.equal(hostname.stdout.trim(), "evil", "the container still boots with its own name");
  });

  step("class 3: logs never follow a planted journal symlink to another tenant's journal", async () => {
    const bobJournal = path.join(rootOf("vault"), "var", "log", "journal");
    const planted = await inAlice("evil", `rm -rf /var/log/journal && ln -s ${bobJournal} /var/log/journal`);
    assert.equal(planted.code, 0, planted.stderr);
    for (const state of ["running", "stopped"]) {
      if (state === "stopped") assert.equal((await voxnix(env, [...alice, "ctl", "stop", "evil"])).code, 0);
      const logs = await voxnix(env, [...alice, "ctl", "logs", "evil", "--lines", "2000"]);
      assert.doesNotMatch(
        logs.stdout + logs.stderr,
        /bob-journal-marker/,
        `alice's ${state} logs show nothing of bob's journal`,
      );
    }
    assert.ok(
      lstatSync(path.join(rootOf("evil"), "var/log/journal")).isSymbolicLink(),
      "the tenant's symlink itself is left alone",
    );
    assert.equal((await voxnix(env, [...alice, "ctl", "start", "evil"])).code, 0);
  });

  step(
    "migration: workspace files written by the host's root (as before user namespaces) stay readable and writable",
    async () => {
      const old = path.join(bobWorkspace(), "from-before");
      writeFileSync(old, "old data\n", { mode: 0o600 });
      const read = await voxnix(env, [
        ...bob,
        "ctl",
        "exec",
        "vault",
        "--",
        "sh",
        "-c",
        "cat /workspace/from-before && echo more >> /workspace/from-before && stat -c %U /workspace/from-before",
      ]);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(read.stdout, "old data\nroot\n", "a root-owned 0600 file is root's inside the container");
      assert.equal(readFileSync(old, "utf8"), "old data\nmore\n");
      assert.equal(lstatSync(old).uid, 0, "and stays owned by the host's root on disk (idmapped, not chowned)");
    },
  );

  step("class 4: a memory limit below the minimum is refused before any host command", async () => {
    const tiny = await voxnix(env, [...alice, "ctl", "create", "tiny", "--memory", "4K"]);
    assert.equal(tiny.code, 2, tiny.stdout + tiny.stderr);
    assert.match(tiny.stderr + tiny.stdout, /64 ?M/i, "the minimum is named");
    const slow = await voxnix(env, [...alice, "ctl", "create", "slow", "--cpu", "0.001"]);
    assert.equal(slow.code, 2, slow.stdout + slow.stderr);
    assert.ok(!existsSync(rootOf("tiny")) && !existsSync(rootOf("slow")));
  });

  step("class 4: voxnix never joins a tenant's cgroup; the smallest container cannot hurt it", async () => {
    const created = await voxnix(env, [...alice, "ctl", "create", "small", "--memory", "64M", "--no-workspace"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    assert.doesNotMatch(
      readFileSync("/proc/self/cgroup", "utf8"),
      /voxnix/,
      "the test process (the same code as the service) stayed in its own groups",
    );
    const hog = await voxnix(env, [
      ...alice,
      "ctl",
      "exec",
      "small",
      "--",
      "sh",
      "-c",
      "dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null; echo $?",
    ]);
    assert.equal(hog.stdout.trim(), "137", "the allocation is killed inside the container");
    const list = await voxnix(env, [...alice, "ctl", "list", "--json"]);
    assert.equal(list.code, 0, "voxnix itself keeps working");
  });

  step("class 4: a fork bomb stops at the container's process limit", async () => {
    const group = path.join("/sys/fs/cgroup/pids", cgroupName(env.backend().paths, "evil"));
    assert.equal(readFileSync(path.join(group, "pids.max"), "utf8").trim(), "512", "the default pids limit is set");
    const bomb = inAlice("evil", "i=0; while [ $i -lt 1500 ]; do sleep 20 & i=$((i+1)); done 2>/dev/null; sleep 3");
    // Sampled for as long as the bomb's exec runs (its `sleep 3` holds it past the last fork), not
    // for a fixed time: on a loaded machine the exec alone can take longer than any fixed window.
    let most = 0;
    let settled = false;
    void bomb.finally(() => (settled = true));
    while (!settled) {
      most = Math.max(most, Number(readFileSync(path.join(group, "pids.current"), "utf8")));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await bomb;
    assert.ok(most >= 400 && most <= 512, `the container filled up to its limit and no further: peak ${most}`);
    const list = await voxnix(env, [...bob, "ctl", "list", "--json"]);
    assert.equal(list.code, 0, "the host and the other tenant keep working");
    const show = await voxnix(env, [...alice, "ctl", "show", "evil", "--json"]);
    assert.match(show.stdout, /pids/, "show reports the pids limit");
    assert.equal((await voxnix(env, [...alice, "ctl", "restart", "evil"])).code, 0);
  });

  step("class 4: writes to the root count against the owner's quota", async () => {
    const fill = await inAlice("evil", "dd if=/dev/urandom of=/var/tmp/fill bs=1M count=500 2>&1; sync; echo done");
    assert.match(
      fill.stdout,
      /Disk quota exceeded|No space left/,
      `500 MiB in the root under a 400 MiB quota must fail: ${fill.stdout}`,
    );
    const storage = await voxnix(env, [...alice, "ctl", "storage", "--json"]);
    const bytes = (JSON.parse(storage.stdout) as { result: { usage: { usedBytes: number } } }).result.usage.usedBytes;
    assert.ok(bytes > 300 * 1024 ** 2, `storage counts the root's data: ${storage.stdout}`);
    // Freed space returns to the quota once btrfs commits the deletion.
    await inAlice("evil", "rm -f /var/tmp/fill; sync");
    await env.runner.run("btrfs", ["filesystem", "sync", path.dirname(env.backend().paths.root)], {
      timeoutMs: 30_000,
    });
  });

  step("class 4: --workspace-size is enforced", async () => {
    const created = await voxnix(env, [
      ...alice,
      "ctl",
      "create",
      "boxed",
      "--module",
      "git",
      "--workspace-size",
      "40M",
    ]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const fill = await voxnix(env, [
      ...alice,
      "ctl",
      "exec",
      "boxed",
      "--",
      "sh",
      "-c",
      "dd if=/dev/urandom of=/workspace/fill bs=1M count=80 2>&1; echo done",
    ]);
    assert.match(
      fill.stdout,
      /Disk quota exceeded|No space left/,
      `80 MiB into a 40 MiB workspace must fail: ${fill.stdout}`,
    );
  });

  step("class 4: writing to the console fills nothing on the host", async () => {
    const log = path.join(env.backend().paths.run, "evil", "console.log");
    const before = statSync(log).size;
    await inAlice("evil", "timeout 3 sh -c 'yes flood-the-host-disk > /dev/console' 2>/dev/null; true");
    const grown = statSync(log).size - before;
    assert.ok(grown < 64 * 1024, `the host-side console log grew by ${grown} bytes`);
  });

  step("class 5: a host service on 0.0.0.0 is unreachable from a container", async () => {
    hostService = createServer((socket) => socket.end("host-service\n"));
    await new Promise<void>((resolve) => hostService?.listen(0, "0.0.0.0", resolve));
    const port = (hostService.address() as { port: number }).port;
    const gateway = env.subnet.replace(/\.0\/\d+$/, ".1");
    const probe = await inAlice("evil", `timeout 5 bash -c 'cat < /dev/tcp/${gateway}/${port}' 2>&1; echo exit=$?`);
    assert.doesNotMatch(probe.stdout, /host-service/, `the host service answered a container: ${probe.stdout}`);
    const local = await new Promise<string>((resolve) => {
      const client = spawn("bash", ["-c", `timeout 5 cat < /dev/tcp/127.0.0.1/${port}`]);
      let text = "";
      client.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      client.on("close", () => resolve(text));
    });
    assert.match(local, /host-service/, "the service itself works (so the probe really tested the policy)");
  });

  step("fds: a caller's extra descriptor is not held by the container", async () => {
    const fifo = path.join(env.root, "fd-probe");
    mkdirSync(path.dirname(fifo), { recursive: true });
    const child = spawn(
      process.execPath,
      [path.resolve("bin/voxnix.js"), ...alice, "ctl", "create", "fdcheck", "--no-workspace"],
      {
        env: env.env,
        stdio: ["ignore", "pipe", "pipe", "pipe"],
      },
    );
    const extra = child.stdio[3] as NodeJS.ReadableStream;
    let closed = false;
    extra.on("end", () => (closed = true));
    extra.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(closed, "the extra pipe reached end-of-file once voxnix exited: no container holds it");
  });
});
