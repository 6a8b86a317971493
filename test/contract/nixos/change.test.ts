/**
 * Contract tests of the nixos backend's `change` against the fake extra-container: an update of
 * the installed container definition (restarting a running container), the previous generation
 * pinned with GC roots before it, and the core's rollback linking exactly that generation back
 * in (no build) when the new one does not build or does not start.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { HostFailureError, NotFoundError } from "../../../src/domain/errors.js";
import { FakeHost, name, progressRecorder, spec } from "./harness.js";

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
});
afterEach(() => host.dispose());

function workspaceDir(): string {
  const path = "/tank/users/telegram_42/containers/dev/workspace";
  mkdirSync(join(host.root, path), { recursive: true });
  return path;
}

/** The store file the installed conf file links to (under the fake host's root). */
function installedConf(): string {
  return realpathSync(join(host.root, "etc/nixos-containers/dev.conf"));
}

function updateCalls(): string[][] {
  return host
    .calls()
    .filter((call) => call.cmd === "extra-container" && call.args[0] === "create")
    .slice(1)
    .map((call) => [...call.args]);
}

void describe("nixos backend: change", () => {
  void it("installs the new definition and restarts a running container with it", async () => {
    const backend = host.backend();
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    const after = spec("dev", ["git", "code-server", "workspace"], {
      resources: { cpus: 2, memoryBytes: 1024 ** 3, pids: 512 },
    });
    const progress = progressRecorder();
    await backend.change!(name("dev"), after, {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: progress.listener,
      previous: before,
      live: false,
    });

    const [update] = updateCalls();
    assert.ok(update);
    assert.equal(update[2], "--restart-changed", "a running container restarts with the new definition");
    const written = JSON.parse(host.readFile("fake/last-create/spec.json")) as {
      modules: string[];
      resources: { cpus: number };
      workspace: { hostPath: string };
    };
    assert.deepEqual(written.modules, ["git", "code-server", "workspace"]);
    assert.equal(written.resources.cpus, 2);
    assert.equal(written.workspace.hostPath, workspaceHostPath, "the same workspace is bound again");
    assert.equal(host.container("dev")?.running, true);
    assert.equal(progress.steps()[0], "building");
    assert.equal(progress.steps().at(-1), "done");
  });

  void it("a stopped container gets the new definition without being started", async () => {
    const backend = host.backend();
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    await backend.stop(name("dev"), { onProgress: () => undefined });
    await backend.change!(name("dev"), spec("dev", ["git", "fish", "workspace"]), {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: () => undefined,
      previous: before,
      live: false,
    });
    const [update] = updateCalls();
    assert.deepEqual(update?.slice(2), []);
    assert.equal(host.container("dev")?.running, false);
  });

  void it("a definition that does not build fails with nix's reason and leaves the installed one; the rollback links the pinned generation back without building", async () => {
    const backend = host.backend({ FAKE_EXTRA_CONTAINER_BROKEN_MODULE: "code-server" });
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    const installed = installedConf();
    const after = spec("dev", ["git", "code-server", "workspace"]);
    await assert.rejects(
      backend.change!(name("dev"), after, {
        ownerLabel: "telegram:42",
        workspaceHostPath,
        onProgress: () => undefined,
        previous: before,
        live: false,
      }),
      (error: unknown) => error instanceof HostFailureError && /code-server/.test(error.message),
    );
    assert.equal(host.container("dev")?.running, true);
    assert.equal(installedConf(), installed, "the failed build installed nothing");
    // The core's rollback: the previous spec, with the failed one as `previous`.
    await backend.change!(name("dev"), before, {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: () => undefined,
      previous: after,
      live: false,
    });
    const rollback = updateCalls().at(-1)!;
    assert.ok(
      statSync(rollback[1]!, { throwIfNoEntry: false }) === undefined,
      "the generation directory is removed afterwards",
    );
    assert.match(
      rollback[1]!,
      /voxnix-nixos-generation-/,
      "installed from the pinned store paths, not from a wrapper to build",
    );
    assert.equal(installedConf(), installed);
    assert.deepEqual((host.container("dev") as { modules?: string[] } | undefined)?.modules, ["git", "workspace"]);
    assert.equal(host.container("dev")?.running, true);
  });

  void it("a restart that fails after the new definition was installed is rolled back to exactly the pinned generation, even when a rebuild would differ", async () => {
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    // Created from one set of sources; by the time of the change the sources moved on, so
    // rebuilding the previous spec would give another generation than the installed one.
    await host
      .backend({ FAKE_NIXPKGS_REV: "1" })
      .create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    const previous = installedConf();
    const previousUnit = realpathSync(join(host.root, "etc/systemd-mutable/system/container@dev.service"));
    const backend = host.backend({ FAKE_NIXPKGS_REV: "2", FAKE_EXTRA_CONTAINER_UPDATE: "restart-failure" });
    const after = spec("dev", ["git", "fish", "workspace"]);
    await assert.rejects(
      backend.change!(name("dev"), after, {
        ownerLabel: "telegram:42",
        workspaceHostPath,
        onProgress: () => undefined,
        previous: before,
        live: false,
      }),
      HostFailureError,
    );
    assert.notEqual(installedConf(), previous, "the new definition was installed");
    assert.equal(host.container("dev")?.running, false, "and its restart failed");
    // Pinned before the update: GC roots under the state directory on both store paths.
    const store = (path: string) => path.slice(host.root.length);
    const roots = host.calls().filter((call) => call.cmd === "nix-store");
    assert.deepEqual(
      roots.map((call) => call.args[1]),
      [store(previous), store(previousUnit)],
    );
    assert.equal(readlinkSync(join(host.stateDir, "nixos", "generations", "dev", "conf")), store(previous));

    const progress = progressRecorder();
    await backend.change!(name("dev"), before, {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: progress.listener,
      previous: after,
      live: false,
    });
    assert.equal(installedConf(), previous, "exactly the generation that was installed before the change");
    assert.equal(realpathSync(join(host.root, "etc/systemd-mutable/system/container@dev.service")), previousUnit);
    assert.deepEqual(
      updateCalls().at(-1)!.slice(2),
      ["--start", "--restart-changed"],
      "it ran before the change, so it is started again",
    );
    assert.equal(host.container("dev")?.running, true);
    assert.deepEqual((host.container("dev") as { modules?: string[] } | undefined)?.modules, ["git", "workspace"]);
    assert.match(
      progress.events.flatMap((event) => (event.type === "step" ? [event.message] : [])).join("\n"),
      /previous definition of "dev" \(\/nix\/store\/[0-9a-z]{32}-nixos-container-dev\.conf\)/,
    );
    // Rebuilding the previous spec from today's sources gives another generation (shown on a second host).
    const other = new FakeHost();
    try {
      mkdirSync(join(other.root, workspaceHostPath), { recursive: true });
      await other
        .backend({ FAKE_NIXPKGS_REV: "2" })
        .create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
      const rebuilt = realpathSync(join(other.root, "etc/nixos-containers/dev.conf")).slice(other.root.length);
      assert.notEqual(rebuilt, store(previous));
    } finally {
      other.dispose();
    }
  });

  void it("a definition that is not in the Nix store is not pinned: the rollback rebuilds the previous spec", async () => {
    host.seedContainer("dev", { running: false });
    const backend = host.backend();
    const before = spec("dev", ["git", "workspace"]);
    const after = spec("dev", ["git", "fish", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.change!(name("dev"), after, {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: () => undefined,
      previous: before,
      live: false,
    });
    assert.equal(host.calls().filter((call) => call.cmd === "nix-store").length, 0, "nothing to pin");
    await backend.change!(name("dev"), before, {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: () => undefined,
      previous: after,
      live: false,
    });
    assert.match(updateCalls().at(-1)![1]!, /container\.nix$/);
    assert.deepEqual((JSON.parse(host.readFile("fake/last-create/spec.json")) as { modules: string[] }).modules, [
      "git",
      "workspace",
    ]);
  });

  void it("destroy forgets the pinned generation", async () => {
    const backend = host.backend();
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    await backend.change!(name("dev"), spec("dev", ["git", "fish", "workspace"]), {
      ownerLabel: "telegram:42",
      workspaceHostPath,
      onProgress: () => undefined,
      previous: before,
      live: false,
    });
    assert.equal(existsSync(join(host.stateDir, "nixos", "generations", "dev", "pin.json")), true);
    await backend.destroy(name("dev"), { onProgress: () => undefined });
    assert.equal(existsSync(join(host.stateDir, "nixos", "generations", "dev")), false);
  });

  void it("an unknown container is not found and nothing runs", async () => {
    const backend = host.backend();
    await assert.rejects(
      backend.change!(name("ghost"), spec("ghost", ["git"]), {
        ownerLabel: "telegram:42",
        onProgress: () => undefined,
        previous: spec("ghost", []),
        live: false,
      }),
      NotFoundError,
    );
    assert.equal(updateCalls().length, 0);
  });
});
