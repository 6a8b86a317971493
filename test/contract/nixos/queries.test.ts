/**
 * Contract tests of the nixos backend's queries, doctor, image builds and dry-run plans
 * against the fake machinectl, journalctl, extra-container and nixos-container.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename } from "node:path";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { HostFailureError, InvalidInputError, NotFoundError } from "../../../src/domain/errors.js";
import { FakeHost, name, progressRecorder, spec } from "./harness.js";

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
});
afterEach(() => host.dispose());

const journalLine = (message: unknown, microseconds: string, unit?: string) =>
  JSON.stringify({
    __REALTIME_TIMESTAMP: microseconds,
    MESSAGE: message,
    ...(unit ? { _SYSTEMD_UNIT: unit } : {}),
    PRIORITY: "6",
  });

void describe("nixos backend: list", () => {
  void it("merges running machines with installed containers in one batch", async () => {
    host.seedContainer("dev", { running: true, addresses: ["10.100.0.5", "fe80::1"] });
    host.seedContainer("web", { running: false });
    host.seedContainer("decl", { running: false, extra: false });
    host.writeFile(
      "fake/machines-extra.json",
      JSON.stringify([{ machine: "vm1", class: "vm", service: "libvirt", addresses: null }]),
    );

    const list = await host.backend().list();
    assert.deepEqual(list, [
      { name: "dev", state: "running", addresses: ["10.100.0.5", "fe80::1"] },
      { name: "web", state: "stopped", addresses: [] },
      { name: "decl", state: "stopped", addresses: [] },
    ]);
    assert.deepEqual(host.commandLines().sort(), ["extra-container list", "machinectl list --output=json --no-pager"]);
  });

  void it("fails loudly instead of reporting containers as missing", async () => {
    host.seedContainer("dev", { running: true });
    await assert.rejects(
      host.backend({ FAKE_MACHINECTL_MODE: "garbage" }).list(),
      (error: unknown) => error instanceof HostFailureError && /not a JSON list/.test(error.message),
    );
    await assert.rejects(
      host.backend({ FAKE_EXTRA_CONTAINER_LIST: "fail" }).list(),
      (error: unknown) => error instanceof HostFailureError && /Permission denied/.test(error.message),
    );
  });
});

void describe("nixos backend: show", () => {
  void it("shows a running container with its Tailscale status", async () => {
    await host.backend().create(spec("dev", ["git", "tailscale"]), {
      ownerLabel: "telegram:42",
      remoteAccessKeyFile: join(host.stateDir, "secrets", "tailscale", "dev.key"),
      onProgress: () => undefined,
    });
    const details = await host.backend().show(name("dev"));
    assert.ok(details);
    assert.equal(details.state, "running");
    assert.deepEqual(details.addresses, ["10.100.0.5"]);
    assert.equal(details.since?.toISOString(), "2026-11-21T20:00:00.000Z");
    assert.equal(details.facts.leader, "4242");
    assert.equal(details.facts.unit, "container@dev.service");
    assert.deepEqual(details.remoteAccess, {
      state: "Running",
      ip: "100.101.102.103",
      hostname: "dev.tail1234.ts.net",
    });
    assert.ok(host.commandLines("nixos-container").includes("nixos-container run dev -- tailscale status --json"));
  });

  void it("shows an installed, stopped container as stopped without asking Tailscale", async () => {
    host.seedContainer("web", { running: false, tailscale: true });
    const details = await host.backend().show(name("web"));
    assert.equal(details?.state, "stopped");
    assert.equal(details?.remoteAccess, undefined);
    assert.deepEqual(host.commandLines("nixos-container"), []);
  });

  void it("does not run tailscale for containers without the module", async () => {
    host.seedContainer("dev", { running: true });
    const details = await host.backend().show(name("dev"));
    assert.equal(details?.state, "running");
    assert.equal(details?.remoteAccess, undefined);
    assert.deepEqual(host.commandLines("nixos-container"), []);
  });

  void it("returns undefined for a container the host does not know", async () => {
    assert.equal(await host.backend().show(name("ghost")), undefined);
  });
});

void describe("nixos backend: logs", () => {
  void it("parses the container journal: text and byte-array messages, times and units", async () => {
    host.seedContainer("dev", { running: true });
    host.writeFile(
      "fake/journal/dev.jsonl",
      [
        journalLine("old line", "1763755000000000"),
        journalLine("Started fish shell.", "1763755200123456", "init.scope"),
        journalLine([104, 195, 169, 108, 108, 111], "1763755201000000", "code-server.service"),
        journalLine(null, "1763755202000000"),
        "not json",
      ].join("\n") + "\n",
    );
    const entries = await host.backend().logs(name("dev"), { lines: 4 });
    assert.deepEqual(
      entries.map((entry) => [entry.message, entry.unit, entry.time?.toISOString()]),
      [
        ["Started fish shell.", "init.scope", "2025-11-21T20:00:00.123Z"],
        ["héllo", "code-server.service", "2025-11-21T20:00:01.000Z"],
      ],
    );
    assert.deepEqual(host.commandLines("journalctl"), ["journalctl -M dev -o json -n 4 --no-pager"]);
  });

  void it("falls back to the host unit's journal when the container's cannot be read", async () => {
    host.seedContainer("dev", { running: false });
    host.writeFile(
      "fake/host-journal/dev.jsonl",
      journalLine(
        "container@dev.service: Failed with result 'exit-code'.",
        "1763755300000000",
        "container@dev.service",
      ) + "\n",
    );
    const entries = await host.backend().logs(name("dev"), { lines: 50 });
    assert.deepEqual(
      entries.map((entry) => entry.message),
      ["container@dev.service: Failed with result 'exit-code'."],
    );
    assert.deepEqual(host.commandLines("journalctl"), [
      "journalctl -M dev -o json -n 50 --no-pager",
      "journalctl -u container@dev.service -o json -n 50 --no-pager",
    ]);
  });

  void it("clamps the line count and refuses unknown containers", async () => {
    host.seedContainer("dev", { running: true });
    await host.backend().logs(name("dev"), { lines: -5 });
    await host.backend().logs(name("dev"), { lines: 1_000_000 });
    assert.ok(host.commandLines("journalctl").includes("journalctl -M dev -o json -n 1 --no-pager"));
    assert.ok(host.commandLines("journalctl").includes("journalctl -M dev -o json -n 1000 --no-pager"));
    await assert.rejects(host.backend().logs(name("ghost"), { lines: 10 }), NotFoundError);
  });
});

void describe("nixos backend: exec", () => {
  void it("runs argv inside the container and passes the exit status through", async () => {
    host.seedContainer("dev", { running: true });
    const backend = host.backend();
    const echoed = await backend.exec(name("dev"), ["echo", "hello; rm -rf /"], { timeoutMs: 10_000 });
    assert.equal(echoed.exitCode, 0);
    assert.equal(echoed.stdout.trim(), "hello; rm -rf /");
    const failed = await backend.exec(name("dev"), ["exit", "3"], { timeoutMs: 10_000 });
    assert.equal(failed.exitCode, 3);
    const withEnv = await backend.exec(name("dev"), ["printenv", "GREETING"], {
      timeoutMs: 10_000,
      env: { GREETING: "hi there" },
    });
    assert.equal(withEnv.stdout.trim(), "hi there");
    assert.ok(
      host
        .commandLines("nixos-container")
        .includes("nixos-container run dev -- env -- GREETING=hi there printenv GREETING"),
    );
  });

  void it("refuses unknown containers, empty commands and bad variable names", async () => {
    host.seedContainer("dev", { running: true });
    const backend = host.backend();
    await assert.rejects(backend.exec(name("ghost"), ["true"], { timeoutMs: 1000 }), NotFoundError);
    await assert.rejects(backend.exec(name("dev"), [], { timeoutMs: 1000 }), InvalidInputError);
    await assert.rejects(
      backend.exec(name("dev"), ["true"], { timeoutMs: 1000, env: { "A=B": "x" } }),
      InvalidInputError,
    );
  });
});

void describe("nixos backend: doctor", () => {
  void it("passes on a complete host and names a fix for what is missing", async () => {
    const healthy = await host.backend().doctor();
    assert.deepEqual(
      healthy.filter((check) => !check.ok).map((check) => check.name),
      [],
    );
    rmSync(join(host.root, "etc", "systemd-mutable"), { recursive: true });
    const broken = await host.backend().doctor();
    const unitDir = broken.find((check) => check.name === "writable unit directory");
    assert.equal(unitDir?.ok, false);
    assert.match(unitDir?.fix ?? "", /boot\.extraSystemdUnitPaths/);
  });

  void it("reports a program that cannot be run as a failed check, not an exception", async () => {
    const deps = host.deps({ PATH: "/nonexistent" });
    const { createNixosRuntime } = await import("../../../src/runtimes/nixos/index.js");
    const checks = await createNixosRuntime(deps, { hostRoot: host.root }).doctor();
    const extra = checks.find((check) => check.name === "extra-container");
    assert.equal(extra?.ok, false);
    assert.ok(extra?.fix);
  });
});

void describe("nixos backend: images", () => {
  void it("builds each configured module set and protects it from garbage collection", async () => {
    const progress = progressRecorder();
    const report = await host
      .backend(
        {},
        {
          nixos: {
            flakePath: "/opt/voxnix-src",
            images: [
              ["git", "fish", "workspace"],
              ["git", "tailscale", "code-server"],
            ],
          },
        },
      )
      .buildImages({ onProgress: progress.listener });
    assert.equal(report.images.length, 2);
    assert.equal(report.images[0]?.name, "git+fish+workspace");
    assert.match(report.images[0]?.detail ?? "", /^vximg-[0-9a-f]{5}: \/nix\/store\/\S+-etc$/);
    const builds = host.commandLines("extra-container").filter((line) => line.startsWith("extra-container build "));
    assert.equal(builds.length, 2);
    const imageName = /^(vximg-[0-9a-f]{5})/.exec(report.images[1]!.detail)![1]!;
    assert.match(readlinkSync(join(host.stateDir, "nixos", "gcroots", imageName)), /^\/nix\/store\//);
    const lastSpec = JSON.parse(host.readFile("fake/last-create/spec.json"));
    assert.equal(lastSpec.name, imageName);
    assert.deepEqual(lastSpec.moduleOptions, { "code-server": { port: 8080, auth: "password" } });
    assert.ok(progress.steps().includes("building"));
    assert.equal(progress.steps().at(-1), "done");
  });

  void it("refuses an image list naming unknown modules before building anything", async () => {
    await assert.rejects(
      host.backend({}, { nixos: { images: [["git", "nope"]] } }).buildImages({ onProgress: () => undefined }),
      InvalidInputError,
    );
    assert.deepEqual(host.commandLines("extra-container"), []);
  });
});

void describe("nixos backend: plan", () => {
  void it("returns the wrapper, the spec and the command without touching the host", async () => {
    // The core's dry run asks the storage port where the workspace would be (pure: no zfs call).
    const workspaceHostPath = host.zfs().workspacePath("telegram_42", "dev");
    const plan = await host.backend().plan(spec("dev", ["git", "tailscale", "workspace"]), {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      remoteAccessKeyFile: "<keys>/dev.key",
    });
    assert.deepEqual(host.calls(), []);
    assert.equal(existsSync(join(host.stateDir, "secrets")), false);
    const [specArtifact, wrapper] = plan.artifacts;
    assert.equal(wrapper?.content, "import /opt/voxnix-src/nix/lib/extra-container.nix { specFile = ./spec.json; }\n");
    const parsed = JSON.parse(specArtifact!.content);
    assert.deepEqual(parsed.workspace, { hostPath: "/tank/users/telegram_42/containers/dev/workspace" });
    assert.deepEqual(parsed.tailscale, {
      authKeyFile: join(host.stateDir, "secrets", "tailscale", "dev.key"),
      hostname: "dev",
    });
    assert.deepEqual(plan.commands, [["extra-container", "create", wrapper.path, "--start"]]);
  });

  void it(
    "evaluates with the repository's nix/ to a container definition",
    { skip: !hasNixInstantiate() },
    async () => {
      const plan = await host.backend({}, { nixos: {} }).plan(spec("dev", ["git", "tailscale", "workspace", "env"]), {
        ownerLabel: "telegram:42",
        workspaceHostPath: "/tank/users/telegram_42/containers/dev/workspace",
        remoteAccessKeyFile: join(host.stateDir, "secrets", "tailscale", "dev.key"),
      });
      const directory = mkdtempSync(join(tmpdir(), "voxnix-plan-"));
      try {
        for (const artifact of plan.artifacts)
          writeFileSync(join(directory, basename(artifact.path)), artifact.content);
        const expression =
          'let c = import ./container.nix; in builtins.toJSON (builtins.mapAttrs (n: v: builtins.removeAttrs v [ "config" ]) c.containers)';
        const output = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expression], {
          cwd: directory,
          encoding: "utf8",
          timeout: 60_000,
        });
        const containers = JSON.parse(JSON.parse(output) as string);
        assert.equal(containers.dev.privateNetwork, true);
        assert.equal(containers.dev.hostBridge, "br-vox");
        assert.equal(
          containers.dev.bindMounts["/workspace"].hostPath,
          "/tank/users/telegram_42/containers/dev/workspace",
        );
        assert.equal(
          Object.values(containers.dev.bindMounts).some((mount) =>
            (mount as { hostPath: string }).hostPath.endsWith("/secrets/tailscale/dev.key"),
          ),
          true,
        );
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});

void describe("nixos backend: image specs", () => {
  void it("evaluate with the repository's nix/ like any other container", { skip: !hasNixInstantiate() }, async () => {
    await host
      .backend({}, { nixos: { images: [["git", "fish", "workspace", "tailscale", "code-server"]] } })
      .buildImages({ onProgress: () => undefined });
    const directory = join(host.root, "fake", "last-create");
    const expression =
      'let c = import ./container.nix; in builtins.toJSON (builtins.mapAttrs (n: v: builtins.removeAttrs v [ "config" ]) c.containers)';
    const output = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expression], {
      cwd: directory,
      encoding: "utf8",
      timeout: 60_000,
    });
    const containers = JSON.parse(JSON.parse(output) as string);
    const [imageName] = Object.keys(containers);
    assert.match(imageName ?? "", /^vximg-[0-9a-f]{5}$/);
    assert.equal(containers[imageName!].privateNetwork, true);
  });
});

function hasNixInstantiate(): boolean {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
