/**
 * Contract tests of the nixos backend's lifecycle against fake extra-container and
 * nixos-container executables, run through the real command runner.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ConflictError, HostFailureError, NotFoundError, TimeoutError } from "../../../src/domain/errors.js";
import { FakeHost, name, progressRecorder, spec } from "./harness.js";

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
});
afterEach(() => host.dispose());

// The host path as storage reports it; the directory exists under the fake host root.
function workspaceDir(): string {
  const path = "/tank/users/telegram_42/containers/dev/workspace";
  mkdirSync(join(host.root, path), { recursive: true });
  return path;
}

function createCall(): string[] {
  const call = host.calls().find((candidate) => candidate.cmd === "extra-container" && candidate.args[0] === "create");
  assert.ok(call, "extra-container create was run");
  return [...call.args];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

void describe("nixos backend: create", () => {
  void it("builds, installs and starts, reporting progress steps in order", async () => {
    const progress = progressRecorder();
    await host.backend().create(spec("dev", ["git", "workspace"]), {
      ownerLabel: "telegram:42",
      workspaceHostPath: workspaceDir(),
      onProgress: progress.listener,
    });

    assert.deepEqual(progress.steps(), ["preparing", "building", "installing", "starting", "done"]);
    assert.ok(
      progress.events.some((event) => event.type === "log" && event.line.includes("derivations will be built")),
    );
    assert.equal(host.installed("dev"), true);
    assert.equal(host.container("dev")?.running, true);
    const args = createCall();
    assert.equal(args.length, 3);
    assert.equal(args[2], "--start");
    assert.match(args[1]!, /\/container\.nix$/);
    assert.equal(existsSync(dirname(args[1]!)), false, "the temporary directory is removed");
    assert.equal(host.readFile("fake/last-create/mode"), "700");
  });

  void it("hands extra-container the wrapper and spec of the contract", async () => {
    const workspace = workspaceDir();
    await host.backend().create(spec("dev", ["git", "code-server", "workspace", "env"]), {
      ownerLabel: "telegram:42",
      workspaceHostPath: workspace,
      onProgress: () => undefined,
    });

    assert.equal(
      host.readFile("fake/last-create/container.nix"),
      "import /opt/voxnix-src/nix/lib/extra-container.nix { specFile = ./spec.json; }\n",
    );
    const written = JSON.parse(host.readFile("fake/last-create/spec.json"));
    assert.deepEqual(written, {
      version: 1,
      name: "dev",
      owner: "telegram:42",
      modules: ["git", "code-server", "workspace", "env"],
      moduleOptions: { "code-server": { port: 8080 } },
      workspace: { hostPath: workspace },
      resources: { cpus: 1, memoryBytes: 1024 ** 3, pids: 512 },
      network: { hostBridge: "br-vox" },
      tailscale: null,
      env: { hostFile: join(host.stateDir, "secrets", "env", "dev.env") },
      autoStart: true,
    });
    const envFile = statSync(join(host.stateDir, "secrets", "env", "dev.env"));
    assert.equal(envFile.mode & 0o777, 0o600);
    assert.equal(envFile.size, 0);
  });

  void it("refuses a name that is already installed without running anything", async () => {
    host.seedContainer("dev", { running: true });
    await assert.rejects(
      host.backend().create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      (error: unknown) =>
        error instanceof ConflictError && error.reason === "name-taken" && /already exists/.test(error.message),
    );
    assert.deepEqual(host.commandLines("extra-container"), []);
    assert.equal(host.installed("dev"), true, "the other container is untouched");
  });

  void it("reports a name taken during the build as a conflict and leaves the other container alone", async () => {
    await assert.rejects(
      host
        .backend({ FAKE_EXTRA_CONTAINER_MODE: "exists" })
        .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      (error: unknown) => error instanceof ConflictError && error.reason === "name-taken",
    );
    assert.equal(
      host.commandLines("extra-container").some((line) => line.startsWith("extra-container destroy")),
      false,
    );
    assert.equal(host.installed("dev"), true);
  });

  void it("turns a build failure into a short message, keeps the nix text as detail and installs nothing", async () => {
    const error = await host
      .backend({ FAKE_EXTRA_CONTAINER_MODE: "build-failure" })
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.equal(
      error.message,
      'Building the container "dev" failed: voxnix: unknown module "nope" in spec.modules. Nothing was installed.',
    );
    assert.match(error.detail ?? "", /stack trace truncated/);
    assert.equal(host.installed("dev"), false);
    assert.equal(
      host.commandLines("extra-container").some((line) => line.startsWith("extra-container destroy")),
      false,
    );
  });

  void it("finds the nix error at the end of a build log longer than the runner keeps", async () => {
    const error = await host
      .backend({ FAKE_EXTRA_CONTAINER_MODE: "build-failure-verbose" })
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.equal(
      error.message,
      "Building the container \"dev\" failed: builder for 'huge.drv' failed with exit code 2. Nothing was installed.",
    );
    assert.match(error.detail ?? "", /output truncated[\s\S]*failed with exit code 2/);
  });

  void it("stops a cancelled create and leaves nothing behind", async () => {
    const controller = new AbortController();
    const pending = host.backend({ FAKE_EXTRA_CONTAINER_MODE: "hang-after-install" }).create(spec("dev", ["git"]), {
      ownerLabel: "telegram:42",
      onProgress: () => undefined,
      signal: controller.signal,
    });
    while (!host.installed("dev")) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof HostFailureError, String(error));
    assert.match(error.message, /cancelled\. Nothing was left installed\./);
    assert.equal(host.installed("dev"), false);
  });

  void it("rolls back a container that installed but did not start, and says so", async () => {
    const progress = progressRecorder();
    const error = await host
      .backend({ FAKE_EXTRA_CONTAINER_MODE: "start-failure" })
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: progress.listener })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.match(error.message, /installed but did not start; it was removed again/);
    assert.match(error.detail ?? "", /Job for container@dev\.service failed/);
    assert.equal(host.installed("dev"), false);
    assert.deepEqual(host.commandLines("extra-container").slice(1), ["extra-container destroy dev"]);
    assert.deepEqual(progress.steps(), ["preparing", "building", "installing", "starting", "removing"]);
  });

  void it("says exactly what it kept when the rollback fails too", async () => {
    const error = await host
      .backend({ FAKE_EXTRA_CONTAINER_MODE: "start-failure", FAKE_EXTRA_CONTAINER_DESTROY: "fail" })
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.match(
      error.message,
      /still installed because removing it failed too; remove it with "extra-container destroy dev"/,
    );
    assert.equal(host.installed("dev"), true);
    assert.ok(
      host.logger.records.some((record) => record.level === "error" && record.message.includes("rollback failed")),
    );
  });

  void it("stops a hanging build at the timeout, kills it and leaves nothing behind", async () => {
    const error = await host
      // Generous enough for the fake to start and record its pid on a loaded machine.
      .backend(
        { FAKE_EXTRA_CONTAINER_MODE: "hang" },
        { nixos: { flakePath: "/opt/voxnix-src", createTimeoutSeconds: 5 } },
      )
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof TimeoutError, `expected a TimeoutError, got ${String(error)}`);
    assert.equal(error.timeoutMs, 5000);
    assert.match(error.message, /did not finish within 5 s and was stopped\. Nothing was left installed\./);
    const pid = Number(host.readFile("fake/pids/extra-container.pid"));
    assert.equal(isAlive(pid), false, "the hung process was killed");
    assert.equal(host.installed("dev"), false);
    assert.equal(existsSync(dirname(createCall()[1]!)), false);
  });

  void it("removes a container that was installed before the timeout hit", async () => {
    const error = await host
      // The fake must get as far as installing before the timeout, even on a loaded machine.
      .backend(
        { FAKE_EXTRA_CONTAINER_MODE: "hang-after-install" },
        { nixos: { flakePath: "/opt/voxnix-src", createTimeoutSeconds: 8 } },
      )
      .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /Nothing was left installed/);
    assert.ok(host.commandLines("extra-container").includes("extra-container destroy dev"));
    assert.equal(host.installed("dev"), false);
  });

  void it("does not trust a successful exit without the conf file", async () => {
    await assert.rejects(
      host
        .backend({ FAKE_EXTRA_CONTAINER_MODE: "no-services" })
        .create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      (error: unknown) => error instanceof HostFailureError && /was not installed/.test(error.message),
    );
  });

  void it("removes the env file it made when the create fails, and keeps one the admin filled", async () => {
    const envFile = join(host.stateDir, "secrets", "env", "dev.env");
    const failing = host.backend({ FAKE_EXTRA_CONTAINER_MODE: "build-failure" });
    await assert.rejects(
      failing.create(spec("dev", ["env"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      HostFailureError,
    );
    assert.equal(existsSync(envFile), false);
    mkdirSync(dirname(envFile), { recursive: true });
    writeFileSync(envFile, "API_TOKEN=x\n", { mode: 0o644 });
    await assert.rejects(
      failing.create(spec("dev", ["env"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      HostFailureError,
    );
    assert.equal(statSync(envFile).mode & 0o777, 0o600, "made private");
  });

  void it("refuses to run without the prepared workspace or key file", async () => {
    const backend = host.backend();
    await assert.rejects(
      backend.create(spec("dev", ["workspace"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      HostFailureError,
    );
    await assert.rejects(
      backend.create(spec("dev", ["tailscale"]), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      HostFailureError,
    );
    assert.deepEqual(host.commandLines("extra-container"), []);
  });
});

void describe("nixos backend: start and stop", () => {
  void it("starts and stops an installed container through nixos-container", async () => {
    host.seedContainer("dev", { running: false });
    const backend = host.backend();
    const progress = progressRecorder();
    await backend.start(name("dev"), {
      ownerLabel: "telegram:42",
      workspaceHostPath: workspaceDir(),
      onProgress: progress.listener,
    });
    assert.equal(host.container("dev")?.running, true);
    await backend.stop(name("dev"), { onProgress: progress.listener });
    await backend.stop(name("dev"), { onProgress: progress.listener });
    assert.equal(host.container("dev")?.running, false);
    assert.deepEqual(host.commandLines("nixos-container"), [
      "nixos-container start dev",
      "nixos-container stop dev",
      "nixos-container stop dev",
    ]);
    assert.deepEqual(progress.steps(), ["starting", "done", "stopping", "done", "stopping", "done"]);
  });

  void it("reports unknown containers as not found", async () => {
    const backend = host.backend();
    await assert.rejects(
      backend.start(name("ghost"), { ownerLabel: "telegram:42", onProgress: () => undefined }),
      NotFoundError,
    );
    await assert.rejects(backend.stop(name("ghost"), { onProgress: () => undefined }), NotFoundError);
  });

  void it("does not start a container whose workspace is not there", async () => {
    host.seedContainer("dev", { running: false });
    await assert.rejects(
      host.backend().start(name("dev"), {
        ownerLabel: "telegram:42",
        workspaceHostPath: "/tank/not-mounted",
        onProgress: () => undefined,
      }),
      (error: unknown) => error instanceof HostFailureError && /workspace/.test(error.message),
    );
    assert.deepEqual(host.commandLines("nixos-container"), []);
  });

  void it("classifies a failed start with the program's words as detail", async () => {
    host.seedContainer("dev", { running: false });
    const error = await host
      .backend({ FAKE_NIXOS_CONTAINER_START: "fail" })
      .start(name("dev"), { ownerLabel: "telegram:42", onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.match(error.message, /^Starting the container "dev" failed: Job for container@dev\.service failed/);
    assert.match(error.detail ?? "", /nixos-container start dev/);
  });
});

void describe("nixos backend: destroy", () => {
  async function createWithTailscale(backendEnv: Record<string, string> = {}) {
    const keyFile = join(host.stateDir, "secrets", "tailscale", "dev.key");
    await host.backend(backendEnv).create(spec("dev", ["git", "tailscale"]), {
      ownerLabel: "telegram:42",
      remoteAccessKeyFile: keyFile,
      onProgress: () => undefined,
    });
  }

  void it("logs a running container out of Tailscale first, then destroys it", async () => {
    await createWithTailscale();
    host.clearCalls();
    const report = await host.backend().destroy(name("dev"), { onProgress: () => undefined });
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(
      host.commandLines().filter((line) => !line.startsWith("machinectl")),
      ["nixos-container run dev -- tailscale logout", "extra-container destroy dev"],
    );
    assert.equal(host.installed("dev"), false);
  });

  void it("still destroys a stopped container whose logout cannot run, with a warning", async () => {
    await createWithTailscale();
    await host.backend().stop(name("dev"), { onProgress: () => undefined });
    const report = await host.backend().destroy(name("dev"), { onProgress: () => undefined });
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!, /Tailscale node of "dev" could not be logged out/);
    assert.equal(host.installed("dev"), false);
    assert.ok(
      host.logger.records.some((record) => record.level === "warn" && record.message.includes("tailscale logout")),
    );
    assert.equal(
      host.logger.records.some((record) => record.level === "error"),
      false,
    );
  });

  void it("gives up on a hanging logout after its timeout and carries on", async () => {
    await createWithTailscale();
    const backend = (await import("../../../src/runtimes/nixos/index.js")).createNixosRuntime(
      host.deps({ FAKE_TAILSCALE_MODE: "hang" }),
      {
        hostRoot: host.root,
        logoutTimeoutMs: 500,
      },
    );
    const report = await backend.destroy(name("dev"), { onProgress: () => undefined });
    assert.match(report.warnings[0] ?? "", /did not finish within 0\.5 s/);
    assert.equal(host.installed("dev"), false);
  });

  void it("removes the container's env file and record, and succeeds for unknown names", async () => {
    workspaceDir();
    await host.backend().create(spec("dev", ["env"]), { ownerLabel: "telegram:42", onProgress: () => undefined });
    assert.equal(existsSync(join(host.stateDir, "secrets", "env", "dev.env")), true);
    await host.backend().destroy(name("dev"), { onProgress: () => undefined });
    assert.equal(existsSync(join(host.stateDir, "secrets", "env", "dev.env")), false);
    assert.equal(existsSync(join(host.stateDir, "nixos", "containers", "dev.json")), false);
    const report = await host.backend().destroy(name("ghost"), { onProgress: () => undefined });
    assert.deepEqual(report.warnings, []);
  });

  void it("reports a failed destroy instead of hiding it", async () => {
    host.seedContainer("dev", { running: true });
    const error = await host
      .backend({ FAKE_EXTRA_CONTAINER_DESTROY: "fail" })
      .destroy(name("dev"), { onProgress: () => undefined })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.match(error.message, /^Removing the container "dev" failed: Killing container@dev\.service failed/);
    assert.equal(host.installed("dev"), true);
  });
});
