/**
 * Unit tests of the nixos backend's and zfs driver's pure parts: output parsers, the nix
 * error summary, progress line splitting and the wrapper's refusal of unsafe paths.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostFailureError } from "../../../../src/domain/errors.js";
import { buildNixSpec, renderWrapper } from "../../../../src/runtimes/nixos/artifacts.js";
import {
  parseBuildOutput,
  parseContainerList,
  summarizeNixError,
} from "../../../../src/runtimes/nixos/extra-container-cli.js";
import {
  parseJournal,
  parseKeyValues,
  parseMachineList,
  parseSystemdTimestamp,
  parseTailscaleStatus,
} from "../../../../src/runtimes/nixos/machinectl-cli.js";
import { OutputProgress } from "../../../../src/runtimes/nixos/progress.js";
import { imageName } from "../../../../src/runtimes/nixos/host.js";
import { parseUsage } from "../../../../src/backends/storage/zfs/zfs-cli.js";
import { parseSnapshotRef, snapshotRef } from "../../../../src/backends/storage/zfs/snapshots.js";
import type { ProgressEvent } from "../../../../src/ports/runtime.js";
import type { WorkloadName } from "../../../../src/domain/names.js";

void describe("summarizeNixError", () => {
  void it("picks the innermost error line of an evaluation failure", () => {
    const stderr =
      "Building containers...\nerror:\n       … while evaluating\n         at /nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/x.nix:1:1:\n\n       error: voxnix: spec.name must be a string\n";
    assert.equal(summarizeNixError(stderr), "voxnix: spec.name must be a string");
  });

  void it("prefers the failing builder over the dependency summary and strips store hashes", () => {
    const stderr =
      "\u001b[31;1merror:\u001b[0m builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-dev.drv' failed with exit code 1;\n" +
      "       last 10 log lines:\n       > boom\nerror: 1 dependencies of derivation '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-etc.drv' failed to build\n";
    assert.equal(summarizeNixError(stderr), "builder for 'nixos-system-dev.drv' failed with exit code 1");
  });

  void it("falls back to the first line and to undefined", () => {
    assert.equal(summarizeNixError("something odd happened\n"), "something odd happened");
    assert.equal(summarizeNixError("  \n"), undefined);
  });
});

void describe("machinectl and journal parsers", () => {
  void it("reads machinectl JSON, keeping containers and splitting addresses", () => {
    const text = JSON.stringify([
      { machine: "dev", class: "container", service: "systemd-nspawn", addresses: "10.0.0.2\nfe80::2" },
      { machine: "vm", class: "vm", service: "libvirt", addresses: null },
      { machine: "new", class: "container", state: "opening", addresses: null },
      { nope: true },
    ]);
    assert.deepEqual(parseMachineList(text), [
      { name: "dev", state: "running", addresses: ["10.0.0.2", "fe80::2"] },
      { name: "new", state: "starting", addresses: [] },
    ]);
    assert.deepEqual(parseMachineList(""), []);
    assert.equal(parseMachineList("MACHINE CLASS"), undefined);
    assert.equal(parseMachineList("{}"), undefined);
  });

  void it("reads key=value output and UTC timestamps only", () => {
    const values = parseKeyValues("State=running\nRootDirectory=/var/lib/x=y\nbroken\n");
    assert.equal(values.get("State"), "running");
    assert.equal(values.get("RootDirectory"), "/var/lib/x=y");
    assert.equal(parseSystemdTimestamp("Sat 2026-11-21 20:00:00 UTC")?.toISOString(), "2026-11-21T20:00:00.000Z");
    assert.equal(parseSystemdTimestamp("Sat 2026-11-21 21:00:00 CET"), undefined);
  });

  void it("reads journal JSON with string, byte-array and missing messages", () => {
    const entries = parseJournal(
      [
        JSON.stringify({ MESSAGE: "a", __REALTIME_TIMESTAMP: "1000000" }),
        JSON.stringify({ MESSAGE: [111, 107] }),
        JSON.stringify({ MESSAGE: null }),
        "{",
      ].join("\n"),
    );
    assert.deepEqual(entries, [{ message: "a", time: new Date(1000) }, { message: "ok" }]);
  });

  void it("reads tailscale status JSON", () => {
    assert.deepEqual(
      parseTailscaleStatus(JSON.stringify({ BackendState: "NeedsLogin", Self: { HostName: "dev", TailscaleIPs: [] } })),
      { state: "NeedsLogin", hostname: "dev" },
    );
    assert.deepEqual(
      parseTailscaleStatus(
        JSON.stringify({ BackendState: "Running", Self: { DNSName: "dev.ts.net.", TailscaleIPs: ["100.1.2.3"] } }),
      ),
      {
        state: "Running",
        ip: "100.1.2.3",
        hostname: "dev.ts.net",
      },
    );
    assert.equal(parseTailscaleStatus("not json"), undefined);
  });
});

void describe("extra-container output", () => {
  void it("reads list and build output", () => {
    assert.deepEqual(parseContainerList("dev\n\n web \nbad name\n"), ["dev", "web"]);
    assert.equal(parseBuildOutput("warning: x\n/nix/store/abc-etc\n"), "/nix/store/abc-etc");
    assert.equal(parseBuildOutput("nothing\n"), undefined);
  });

  void it("turns streamed output into steps once each, across chunk boundaries", () => {
    const events: ProgressEvent[] = [];
    const progress = new OutputProgress((event) => events.push(event));
    progress.onOutput("stderr", "Building conta");
    progress.onOutput("stderr", "iners...\nbuilding '/nix/store/x.drv'...\n");
    progress.onOutput("stdout", "\nInstalling containers:\ndev\n\nStarting containers:\ndev\n");
    progress.onOutput("stdout", "Installing containers:\ntail");
    progress.flush();
    assert.deepEqual(progress.steps(), ["building", "installing", "starting"]);
    assert.deepEqual(
      events.filter((event) => event.type === "log").map((event) => (event.type === "log" ? event.line : "")),
      ["building '/nix/store/x.drv'...", "dev", "dev", "tail"],
    );
  });

  void it("keeps a throwing listener from breaking the operation", () => {
    const progress = new OutputProgress(() => {
      throw new Error("listener bug");
    });
    assert.doesNotThrow(() => progress.onOutput("stderr", "Building containers...\n"));
  });
});

void describe("artifacts", () => {
  void it("writes exactly one import line and refuses paths that are not plain", () => {
    assert.equal(
      renderWrapper("/nix/store/abc-voxnix-source"),
      "import /nix/store/abc-voxnix-source/nix/lib/extra-container.nix { specFile = ./spec.json; }\n",
    );
    for (const bad of ["relative/path", "/has space", '/quote"', "/a/${x}", "/a/../b", "/trailing/"]) {
      assert.throws(() => renderWrapper(bad), HostFailureError, bad);
    }
  });

  void it("leaves tailscale and env null when their modules are not selected", () => {
    const nixSpec = buildNixSpec(
      {
        kind: "container",
        name: "dev" as WorkloadName,
        modules: ["git"],
        moduleOptions: {},
        workspace: { enabled: false },
        resources: { cpus: 2, memoryBytes: 2 ** 30, pids: 512 },
        remoteAccess: false,
      },
      { ownerLabel: "local:admin", hostBridge: "br-vox", tailscaleKeyFile: "/k", envHostFile: "/e" },
    );
    assert.equal(nixSpec.tailscale, null);
    assert.equal(nixSpec.env, null);
    assert.equal(nixSpec.workspace, null);
  });

  void it("names images by their module set, order-independently, within 11 characters", () => {
    assert.equal(imageName(["git", "fish"]), imageName(["fish", "git"]));
    assert.notEqual(imageName(["git"]), imageName(["fish"]));
    assert.match(imageName(["git"]), /^vximg-[0-9a-f]{5}$/);
  });
});

void describe("zfs parsers", () => {
  void it("reads zfs get -Hp usage; zero quota is none", () => {
    assert.deepEqual(parseUsage("used\t1024\nquota\t0\navailable\t2048\n"), {
      usedBytes: 1024,
      quotaBytes: null,
      availableBytes: 2048,
    });
    assert.deepEqual(parseUsage("used\t5\nquota\t10\navailable\t5\n"), {
      usedBytes: 5,
      quotaBytes: 10,
      availableBytes: 5,
    });
    assert.deepEqual(parseUsage("used\t-\n"), { usedBytes: 0, quotaBytes: null, availableBytes: null });
  });

  void it("round-trips snapshot references", () => {
    const ref = snapshotRef("telegram_42", "dev", "2026-11-21T20:00");
    assert.deepEqual(parseSnapshotRef(ref), { userKey: "telegram_42", workload: "dev", label: "2026-11-21T20:00" });
  });
});
