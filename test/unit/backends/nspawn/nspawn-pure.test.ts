/**
 * Pure parts of the nspawn backend and btrfs driver: argv builders, subnet maths, interface
 * names, and the parsers for qgroup tables, mountinfo and journal output.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../../../../src/domain/errors.js";
import {
  basePackages,
  debootstrapArgs,
  loginShell,
  nspawnBootArgs,
  journalArgs,
  sessionArgv,
  SFTP_SERVER,
} from "../../../../src/runtimes/nspawn/nspawn-cli.js";
import { ENTER_PERL, entryCall, enterScript } from "../../../../src/runtimes/nspawn/enter.js";
import { networkdConfig, parseSubnet, bridgeRules, inputRules } from "../../../../src/runtimes/nspawn/network.js";
import { interfaceNames, machinePaths, nspawnPaths } from "../../../../src/runtimes/nspawn/paths.js";
import { createBtrfsStorage } from "../../../../src/backends/storage/btrfs/index.js";
import { createDirStorage } from "../../../../src/backends/storage/dir/index.js";
import { createZfsStorage } from "../../../../src/backends/storage/zfs/index.js";
import { createCommandRunner } from "../../../../src/host/command-runner.js";
import { systemClock } from "../../../../src/ports/clock.js";
import { silentLogger } from "../../../../src/ports/logger.js";
import { createFixtureCatalog } from "../../../fakes/fixture-catalog.js";
import { parseJournal } from "../../../../src/runtimes/nspawn/queries.js";
import { parseQgroupShow } from "../../../../src/backends/storage/btrfs/qgroups.js";
import { parseMountInfo } from "../../../../src/host/mounts.js";
import {
  checkSegment,
  parseSnapshotRef,
  snapshotRef,
  resolveBtrfsPaths,
} from "../../../../src/backends/storage/btrfs/paths.js";
import { exitStatusOf } from "../../../../src/adapters/cli/commands/ctl-exec.js";
import { configSchema } from "../../../../src/app/config-schema.js";

const config = configSchema.parse({});

describe("nspawn argv builders", () => {
  it("boots without a host systemd, in its own user namespace, with idmapped workspace and boot files", () => {
    const args = nspawnBootArgs({
      name: "web",
      root: "/pool/machines/web",
      interfaceName: "vc0123456789",
      workspaceHostPath: "/pool/users/u/web",
      files: [{ hostPath: "/pool/run/web/files/etc/hostname", containerPath: "/etc/hostname" }],
      uuid: "0123456789abcdef0123456789abcdef",
    });
    for (const flag of [
      "--boot",
      "--register=no",
      "--keep-unit",
      "--private-users=pick",
      "--private-users-ownership=auto",
      "--directory=/pool/machines/web",
      "--machine=web",
      "--network-interface=vc0123456789",
      "--bind=/pool/users/u/web:/workspace:idmap",
      "--bind-ro=/pool/run/web/files/etc/hostname:/etc/hostname:idmap",
      "--uuid=0123456789abcdef0123456789abcdef",
    ]) {
      assert.ok(args.includes(flag), `${flag} in ${args.join(" ")}`);
    }
    assert.ok(
      !nspawnBootArgs({ name: "web", root: "/r" }).some((arg) => arg.startsWith("--bind")),
      "no workspace, no bind mount",
    );
  });

  it("enters through one fixed host program that executes the command itself, argv off the command line", () => {
    const call = entryCall(4242, ["git", "--version", "--token=s3cret"], { env: { TERM: "xterm" } });
    assert.equal(call.argv[0], ENTER_PERL, "the host's perl, by absolute path");
    assert.deepEqual(call.argv.slice(3), ["--", "4242", "pipe", "/root"]);
    const script = call.argv[2]!;
    assert.doesNotMatch(
      script,
      /systemd-run|dbus|DBUS/i,
      "no D-Bus, no systemd-run: nothing the container sends is parsed",
    );
    assert.match(script, /PTRACE|0x420c|16908/, "the container's seccomp filters are read from its PID 1");
    assert.ok(script.indexOf('seccomp", ') > script.indexOf("setns user"), "the filters go on after the namespaces");
    assert.ok(
      script.indexOf("exec { $argv[0] }") > script.lastIndexOf("seccomp"),
      "the command is executed last, under the filters",
    );
    assert.match(script, /^use strict;\n/, "strict only, loaded before any namespace is joined");
    assert.doesNotMatch(
      script,
      /\buse (?!strict)|\brequire\b|POSIX::/,
      "no other module (POSIX alone costs 70-110 ms per exec)",
    );
    assert.ok(
      !call.argv.some((arg) => arg.includes("s3cret") || arg === "git"),
      "the command's words are not on any command line",
    );
    assert.equal(call.env.VOXNIX_ARGC, "3");
    assert.equal(call.env.VOXNIX_ARG_2, "--token=s3cret");
    assert.equal(call.env.TERM, "xterm");
    assert.equal(
      entryCall(1, ["bash"], { env: {}, interactive: true, cwd: "/workspace" }).argv.slice(-2).join(" "),
      "pty /workspace",
    );
    assert.throws(() => entryCall(0, ["true"], { env: {} }), RangeError);
    assert.throws(() => entryCall(1, [], { env: {} }), RangeError);
    assert.throws(() => entryCall(1, ["true"], { env: {}, cwd: "relative" }), RangeError);
    for (const name of ["PERL5OPT", "LD_PRELOAD", "VOXNIX_ARGC", "A=B", ""]) {
      assert.throws(() => entryCall(1, ["true"], { env: { [name]: "x" } }), RangeError, `${name} is never passed`);
    }
    assert.throws(() => enterScript("ia32"), /not available on ia32/);
    assert.notEqual(enterScript("x64"), enterScript("arm64"), "system-call numbers per architecture");
    assert.deepEqual(loginShell({ modules: ["git", "fish"] }), ["/usr/bin/fish", "--login"]);
    assert.deepEqual(loginShell({ modules: ["git"] }), ["/bin/bash", "--login"]);
  });

  it("debootstraps a minimal Debian with the module packages", () => {
    const args = debootstrapArgs({ suite: "bookworm", mirror: "http://mirror", target: "/t" });
    assert.equal(args[0], "--variant=minbase");
    const included = (args[1] ?? "").replace("--include=", "").split(",");
    for (const pkg of ["systemd", "dbus", "git", "fish", "ripgrep", "jq", "direnv"])
      assert.ok(included.includes(pkg), pkg);
    assert.deepEqual(args.slice(2), ["bookworm", "/t", "http://mirror"]);
    assert.deepEqual(basePackages(), [...new Set(basePackages())].sort());
  });

  it("reads the journal as JSON with a line bound", () => {
    assert.deepEqual(journalArgs(["/r/a.journal", "/r/b.journal"], 50).slice(0, 6), [
      "--file",
      "/r/a.journal",
      "--file",
      "/r/b.journal",
      "--lines",
      "50",
    ]);
  });
});

describe("nspawn network", () => {
  it("derives the gateway from the subnet, normalising the address", () => {
    assert.deepEqual(parseSubnet("10.231.0.0/24"), { cidr: "10.231.0.0/24", prefix: 24, gateway: "10.231.0.1" });
    assert.deepEqual(parseSubnet("10.9.8.77/16"), { cidr: "10.9.0.0/16", prefix: 16, gateway: "10.9.0.1" });
    assert.throws(() => parseSubnet("10.0.0.0/31"), InvalidInputError);
    assert.throws(() => parseSubnet("10.0.300.0/24"), InvalidInputError);
  });

  it("writes a static networkd address with the bridge as gateway", () => {
    const text = networkdConfig({
      interfaceName: "vcabc",
      address: "10.231.0.5",
      subnet: parseSubnet("10.231.0.0/24"),
    });
    assert.match(text, /^Name=vcabc$/m);
    assert.match(text, /^Address=10\.231\.0\.5\/24$/m);
    assert.match(text, /^Gateway=10\.231\.0\.1$/m);
  });

  it("drops forwarding between containers on the bridge", () => {
    const rules = bridgeRules({ bridge: "vx-br0", subnet: parseSubnet("10.231.0.0/24") });
    assert.ok(
      rules.some((entry) => entry.chain === "FORWARD" && entry.rule.join(" ") === "-i vx-br0 -o vx-br0 -j DROP"),
    );
  });

  it("lets containers reach only DHCP, DNS and what the admin opened on the host, then drops", () => {
    const rules = inputRules([]).map((rule) => rule.join(" "));
    assert.equal(rules[0], "-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
    assert.deepEqual(rules.slice(1, 4), [
      "-p udp --dport 67 -j ACCEPT",
      "-p udp --dport 53 -j ACCEPT",
      "-p tcp --dport 53 -j ACCEPT",
    ]);
    assert.match(rules.at(-1) ?? "", /-j DROP$/);
    assert.equal(rules.length, 5, "nothing else is accepted by default");
    const opened = inputRules(["icmp", "tcp/8080"]).map((rule) => rule.join(" "));
    assert.ok(
      opened.includes("-p icmp --icmp-type echo-request -j ACCEPT") && opened.includes("-p tcp --dport 8080 -j ACCEPT"),
    );
    assert.notEqual(opened.at(-1), rules.at(-1), "the chain's digest changes with what is opened");
    assert.throws(() => inputRules(["tcp/0"]), InvalidInputError);
    assert.throws(() => inputRules(["all"]), InvalidInputError);
  });

  it("names interfaces within 15 bytes, stable per root and name, distinct across roots", () => {
    const paths = nspawnPaths("/var/lib/voxnix/storage/nspawn");
    const names = interfaceNames(paths, "abcdefghijk");
    assert.ok(names.host.length <= 15 && names.container.length <= 15);
    assert.notEqual(names.host, names.container);
    assert.deepEqual(interfaceNames(paths, "abcdefghijk"), names);
    const other = nspawnPaths("/tmp/other/storage/nspawn");
    assert.notEqual(interfaceNames(other, "abcdefghijk").host, names.host);
  });

  it("gets its area from the storage port: on the btrfs pool by default, beside the state elsewhere, or where nspawn.root says", () => {
    const leases = {
      allocate: () => "",
      get: () => undefined,
      release: () => undefined,
      all: () => new Map<string, string>(),
    };
    const deps = (raw: Record<string, unknown>, stateDir: string) => ({
      config: configSchema.parse(raw),
      stateDir,
      runner: createCommandRunner(),
      logger: silentLogger,
      clock: systemClock,
      leases,
      catalog: createFixtureCatalog(),
    });
    const onPool = createBtrfsStorage(deps({}, "/var/lib/voxnix")).rootVolumes?.({ runtime: "nspawn" });
    assert.equal(onPool?.hostPath, "/var/lib/voxnix/storage/nspawn");
    assert.deepEqual(
      onPool?.cloneCommand(
        "/var/lib/voxnix/storage/nspawn/images/debian-x",
        machinePaths(nspawnPaths(onPool.hostPath), "web"),
      ),
      [
        "btrfs",
        "subvolume",
        "snapshot",
        "/var/lib/voxnix/storage/nspawn/images/debian-x",
        "/var/lib/voxnix/storage/nspawn/machines/web",
      ],
    );
    assert.equal(
      machinePaths(nspawnPaths(onPool.hostPath), "web").pidFile,
      "/var/lib/voxnix/storage/nspawn/run/web/nspawn.pid",
    );
    const dir = createDirStorage(deps({ storage: { driver: "dir" } }, "/s")).rootVolumes?.({ runtime: "nspawn" });
    assert.equal(dir?.hostPath, "/s/nspawn");
    assert.equal(
      dir?.cloneCommand("/s/nspawn/images/i", machinePaths(nspawnPaths("/s/nspawn"), "web"))[0],
      "mount",
      "no copy-on-write clone of a directory: an overlay",
    );
    assert.equal(
      createZfsStorage(deps({ storage: { driver: "zfs" } }, "/z")).rootVolumes?.({ runtime: "nspawn" }).hostPath,
      "/z/nspawn",
    );
    assert.equal(
      createBtrfsStorage(deps({}, "/var/lib/voxnix")).rootVolumes?.({ runtime: "nspawn", at: "/srv/roots" }).hostPath,
      "/srv/roots",
      "nspawn.root keeps the area off the pool",
    );
    assert.throws(() => createBtrfsStorage(deps({}, "/v")).rootVolumes?.({ runtime: "../etc" }), InvalidInputError);
  });
});

describe("btrfs parsing and paths", () => {
  it("parses the raw qgroup table", () => {
    const rows = parseQgroupShow(
      [
        "Qgroupid    Referenced    Exclusive  Max referenced  Max exclusive   Path",
        "--------    ----------    ---------  --------------  -------------   ----",
        "0/257         31473664     31473664            none           none   users/u1ws1",
        "1/100         52412416     52412416        52428800           none   <0 member qgroups>",
        "1/101         52412416     52412416            none       41943040   <0 member qgroups>",
      ].join("\n"),
    );
    assert.deepEqual(rows.get("0/257"), {
      id: "0/257",
      referenced: 31473664,
      exclusive: 31473664,
      maxReferenced: null,
      maxExclusive: null,
    });
    assert.equal(rows.get("1/100")?.maxReferenced, 52428800);
    assert.equal(rows.get("1/101")?.maxExclusive, 41943040, "the user quota is an exclusive limit");
    assert.equal(rows.size, 3);
  });

  it("parses mountinfo, unescaping mount points", () => {
    const entries = parseMountInfo(
      "36 35 98:0 / /var/lib/vox\\040nix/storage rw,noatime master:1 - btrfs /dev/loop3 rw\n",
    );
    assert.deepEqual(entries, [{ mountpoint: "/var/lib/vox nix/storage", fstype: "btrfs", source: "/dev/loop3" }]);
  });

  it("round-trips snapshot references and refuses path tricks", () => {
    const ref = snapshotRef("telegram_42", "web", "20260101T000000");
    assert.deepEqual(parseSnapshotRef(ref), { userKey: "telegram_42", workload: "web", label: "20260101T000000" });
    assert.throws(() => parseSnapshotRef("../../etc@x"), InvalidInputError);
    assert.throws(() => checkSegment("workload", ".."), InvalidInputError);
    assert.throws(() => checkSegment("user key", "a/b"), InvalidInputError);
  });

  it("defaults the pool under the state directory", () => {
    const paths = resolveBtrfsPaths({ config, stateDir: "/var/lib/voxnix" });
    assert.equal(paths.image, "/var/lib/voxnix/storage.btrfs.img");
    assert.equal(paths.mountpoint, "/var/lib/voxnix/storage");
    assert.equal(paths.imageSizeBytes, 20 * 1024 ** 3);
  });
});

describe("journal and exit statuses", () => {
  it("parses journal JSON, including byte-array messages", () => {
    const entries = parseJournal(
      [
        JSON.stringify({
          __REALTIME_TIMESTAMP: "1700000000000000",
          _SYSTEMD_UNIT: "systemd-networkd.service",
          MESSAGE: "vc1: Gained carrier",
        }),
        JSON.stringify({ SYSLOG_IDENTIFIER: "kernel", MESSAGE: [104, 105] }),
        "{truncated",
      ].join("\n"),
    );
    assert.equal(entries.length, 2);
    assert.equal(entries[0]?.unit, "systemd-networkd.service");
    assert.equal(entries[0]?.time?.toISOString(), "2023-11-14T22:13:20.000Z");
    assert.equal(entries[1]?.message, "hi");
  });

  it("passes exit statuses through and maps signals to 128 + n", () => {
    assert.equal(exitStatusOf({ exitCode: 7, signal: null }), 7);
    assert.equal(exitStatusOf({ exitCode: null, signal: "SIGKILL" }), 137);
    assert.equal(exitStatusOf({ exitCode: null, signal: "SIGTERM" }), 143);
  });
});

describe("session commands", () => {
  it("maps shell, exec and sftp to the login shell, the shell with -c, and Debian's SFTP server", () => {
    const fish = { modules: ["fish"] };
    assert.deepEqual(sessionArgv({ modules: [] }, { kind: "shell" }), ["/bin/bash", "--login"]);
    assert.deepEqual(sessionArgv(fish, { kind: "exec", command: "git status; echo $?" }), [
      "/usr/bin/fish",
      "-c",
      "git status; echo $?",
    ]);
    assert.deepEqual(sessionArgv(fish, { kind: "sftp" }), [SFTP_SERVER]);
    assert.ok(basePackages().includes("openssh-sftp-server"));
  });

  it("keeps a session's command off the argv", () => {
    const call = entryCall(7, ["/bin/sh", "-c", "secret-token=abc"], { env: {}, interactive: true });
    assert.equal(call.argv.at(-2), "pty");
    assert.ok(!call.argv.some((word) => word.includes("secret-token")));
  });
});
