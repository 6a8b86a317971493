/**
 * Contract tests of the nixos backend's `change` against the fake extra-container: an update of
 * the installed container definition (restarting a running container), and the previous
 * definition applied again when the new one does not build.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
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
    const after = spec("dev", ["git", "code-server", "workspace"], { resources: { cpus: 2, memoryBytes: 1024 ** 3, pids: 512 } });
    const progress = progressRecorder();
    await backend.change!(name("dev"), after, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: progress.listener, previous: before, live: false });

    const [update] = updateCalls();
    assert.ok(update);
    assert.equal(update[2], "--restart-changed", "a running container restarts with the new definition");
    const written = JSON.parse(host.readFile("fake/last-create/spec.json")) as { modules: string[]; resources: { cpus: number }; workspace: { hostPath: string } };
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
    await backend.change!(name("dev"), spec("dev", ["git", "fish", "workspace"]), { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined, previous: before, live: false });
    const [update] = updateCalls();
    assert.deepEqual(update?.slice(2), []);
    assert.equal(host.container("dev")?.running, false);
  });

  void it("a definition that does not build fails with nix's reason and leaves the installed one; the previous spec applies again", async () => {
    const backend = host.backend({ FAKE_EXTRA_CONTAINER_BROKEN_MODULE: "code-server" });
    const before = spec("dev", ["git", "workspace"]);
    const workspaceHostPath = workspaceDir();
    await backend.create(before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined });
    const after = spec("dev", ["git", "code-server", "workspace"]);
    await assert.rejects(
      backend.change!(name("dev"), after, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined, previous: before, live: false }),
      (error: unknown) => error instanceof HostFailureError && /code-server/.test(error.message),
    );
    assert.equal(host.container("dev")?.running, true);
    // The core's rollback: the previous spec, applied the same way.
    await backend.change!(name("dev"), before, { ownerLabel: "telegram:42", workspaceHostPath, onProgress: () => undefined, previous: after, live: false });
    assert.deepEqual((JSON.parse(host.readFile("fake/last-create/spec.json")) as { modules: string[] }).modules, ["git", "workspace"]);
  });

  void it("an unknown container is not found and nothing runs", async () => {
    const backend = host.backend();
    await assert.rejects(
      backend.change!(name("ghost"), spec("ghost", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined, previous: spec("ghost", []), live: false }),
      NotFoundError,
    );
    assert.equal(updateCalls().length, 0);
  });
});
