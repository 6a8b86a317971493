/** Create and plan: validation first, names, quotas, remote access, rollback. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError, HostFailureError, InvalidInputError, QuotaError } from "../../../src/domain/errors.js";
import { suggestFreeName } from "../../../src/core/admission.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { FakeRemoteAccess } from "../../fakes/fake-remote-access.js";
import { createReady, planCreate, rejection } from "./helpers.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const GiB = 1024 ** 3;

void describe("create", () => {
  void it("creates a ready, running workload with a workspace and records the owner", async () => {
    const t = createTestCore();
    const view = await createReady(t.core, alice, { name: "dev", modules: ["git", "fish"] });
    assert.equal(view.status, "ready");
    assert.equal(view.desired, "running");
    assert.equal(view.live, "running");
    assert.equal(view.owner, TEST_USERS.alice);
    assert.equal(t.storage.users.get("telegram_42"), 10 * GiB, "the user's area gets their quota");
    assert.ok(t.storage.workspaces.has("telegram_42/dev"));
    const createCall = t.backend.injector.callsOf("create")[0]!;
    assert.deepEqual(createCall.args[1], {
      ownerLabel: "telegram:42",
      workspaceHostPath: "/fake/storage/telegram_42/dev",
    });
  });

  void it("invalid input is refused before anything touches the host", async () => {
    const t = createTestCore();
    const error = await rejection(t.core.create(alice, { name: "Bad_Name" }));
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.issues[0]?.path, "name");
    assert.equal(t.backend.calls.length, 0);
    assert.equal(t.storage.calls.length, 0);
    assert.equal(
      (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM users").get() as Record<string, unknown>).n,
      0,
      "not even the user is registered",
    );
    assert.equal(
      (await rejection(t.core.create({ userId: "mallory" as never }, { name: "dev" }))).kind,
      "invalid-input",
    );
  });

  void it("a taken name is a conflict that reveals nothing about the owner and suggests a free name", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "dev-2" });
    const error = await rejection(t.core.create(bob, { name: "dev" }));
    assert.ok(error instanceof ConflictError);
    assert.equal(error.reason, "name-taken");
    assert.equal(error.message, 'The name "dev" is already taken. Try "dev-3".');
    const own = await rejection(t.core.create(alice, { name: "dev" }));
    assert.equal(own.message, error.message, "the owner gets the same words: nothing depends on who has it");
  });

  void it("a name used by an unmanaged host container is taken too", async () => {
    const t = createTestCore();
    t.backend.addUnmanaged("legacy");
    assert.equal((await rejection(t.core.create(alice, { name: "legacy" }))).kind, "conflict");
  });

  void it("suggestions fit in 11 characters and skip taken and reserved names", () => {
    assert.equal(suggestFreeName("abcdefghijk", new Set()), "abcdefghi-2");
    assert.equal(suggestFreeName("dev", new Set(["dev-2"])), "dev-3");
    assert.equal(suggestFreeName("abcdefgh-xy", new Set()), "abcdefgh-2");
  });

  void it("enforces the workload count quota", async () => {
    const t = createTestCore({
      policy: {
        defaultLimits: {
          diskQuotaBytes: GiB,
          maxWorkloads: 1,
          cpuBudget: 8,
          memoryBudgetBytes: 8 * GiB,
          pidsBudget: 4096,
        },
      },
    });
    await createReady(t.core, alice, { name: "one" });
    const error = await rejection(t.core.create(alice, { name: "two" }));
    assert.ok(error instanceof QuotaError);
    assert.equal(error.limit, "workloads");
    await createReady(t.core, bob, { name: "two" });
  });

  void it("enforces the pids budget summed over the user's workloads, counting old specs at the default", async () => {
    const t = createTestCore({
      policy: {
        defaultLimits: {
          diskQuotaBytes: GiB,
          maxWorkloads: 5,
          cpuBudget: 8,
          memoryBudgetBytes: 8 * GiB,
          pidsBudget: 1024,
        },
      },
    });
    const first = await createReady(t.core, alice, { name: "a", resources: { pids: 600 } });
    assert.equal(first.spec.resources.pids, 600);
    const pids = await rejection(t.core.create(alice, { name: "b" }));
    assert.ok(pids instanceof QuotaError);
    assert.equal(pids.limit, "pids");
    assert.match(pids.message, /only 424 of your budget of 1024/);
    await createReady(t.core, alice, { name: "b", resources: { pids: 424 } });
    // A spec recorded before pids limits existed reads back with the configured default.
    t.db.sqlite
      .prepare("UPDATE workloads SET spec_json = json_remove(spec_json, '$.resources.pids') WHERE name = 'a'")
      .run();
    assert.equal(workloadOf(await t.core.show(alice, "a")).spec.resources.pids, 512);
  });

  void it("refuses code-server without authentication before any host command, unless the admin allows it", async () => {
    const t = createTestCore();
    const input = { name: "web", modules: ["code-server"], moduleOptions: { "code-server": { auth: "none" } } };
    const refused = await rejection(t.core.create(alice, input));
    assert.ok(refused instanceof InvalidInputError);
    assert.equal(refused.issues[0]?.path, "moduleOptions.code-server.auth");
    assert.match(refused.message, /security\.allowCodeServerWithoutAuth/);
    assert.deepEqual(
      t.backend.calls.filter((call) => call.method !== "info"),
      [],
      "nothing ran on the host",
    );
    assert.deepEqual(t.storage.calls, []);
    assert.equal((await rejection(planCreate(t.core, alice, input))).kind, "invalid-input");
    await createReady(t.core, alice, { name: "pw", modules: ["code-server"] });
    const allowed = createTestCore({ policy: { allowCodeServerWithoutAuth: true } });
    assert.equal((await createReady(allowed.core, alice, input)).spec.moduleOptions["code-server"]?.auth, "none");
  });

  void it("enforces CPU and memory budgets summed over the user's workloads", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "a", resources: { cpus: 3, memory: "6G" } });
    const cpu = await rejection(t.core.create(alice, { name: "b", resources: { cpus: 2 } }));
    assert.ok(cpu instanceof QuotaError);
    assert.equal(cpu.limit, "cpu");
    const memory = await rejection(t.core.create(alice, { name: "b", resources: { cpus: 1, memory: "3G" } }));
    assert.ok(memory instanceof QuotaError);
    assert.equal(memory.limit, "memory");
    await createReady(t.core, alice, { name: "b", resources: { cpus: 1, memory: "2G" } });
  });

  void it("refuses a workspace larger than the disk quota", async () => {
    const t = createTestCore();
    const error = await rejection(t.core.create(alice, { name: "big", workspace: { enabled: true, size: "20G" } }));
    assert.ok(error instanceof QuotaError);
    assert.equal(error.limit, "disk");
  });

  void it("refuses remote access when no Tailscale key is configured", async () => {
    for (const t of [
      createTestCore({ remoteAccess: false }),
      createTestCore({ remoteAccess: new FakeRemoteAccess({ configured: false }) }),
    ]) {
      const error = await rejection(t.core.create(alice, { name: "dev", modules: ["tailscale"] }));
      assert.ok(error instanceof InvalidInputError);
      assert.match(error.message, /administrator must configure a Tailscale auth key/);
      assert.equal(t.backend.calls.length, 0);
    }
  });

  void it("prepares a key file for remote access and passes only its path", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", remoteAccess: true });
    assert.ok(t.remoteAccess!.keyFiles.has("dev"));
    const host = t.backend.injector.callsOf("create")[0]!.args[1] as { remoteAccessKeyFile?: string };
    assert.equal(host.remoteAccessKeyFile, "/fake/keys/dev.key");
  });

  void it("a failing backend create rolls everything back and frees the name", async () => {
    const t = createTestCore();
    t.backend.failNext("create", new HostFailureError("nixos-container failed to boot"));
    const handle = await t.core.create(alice, { name: "dev", remoteAccess: true });
    const error = await rejection(handle.wait());
    assert.equal(error.message, "nixos-container failed to boot");
    assert.equal(t.storage.workspaces.size, 0);
    assert.equal(t.remoteAccess!.keyFiles.size, 0);
    assert.equal(t.backend.containers.size, 0);
    assert.ok(t.backend.injector.callsOf("destroy").length === 1, "the backend is asked to clean up a partial create");
    assert.deepEqual((await t.core.list(alice)).workloads, []);
    const job = await t.core.job(alice, handle.id);
    assert.equal(job.state, "failed");
    assert.equal(job.error?.kind, "host-failure");
    const audit = t.db.sqlite
      .prepare("SELECT outcome, error_kind, job_id FROM operations WHERE operation = 'create'")
      .get();
    assert.deepEqual(audit, { outcome: "error", error_kind: "host-failure", job_id: handle.id });
    await createReady(t.core, alice, { name: "dev" });
  });

  void it("when an undo step fails, the job error says exactly what was kept", async () => {
    const t = createTestCore();
    t.backend.failNext("create", new HostFailureError("boot failed"));
    t.storage.failNext("deleteWorkspace", new Error("device busy"));
    const error = await rejection((await t.core.create(alice, { name: "dev" })).wait());
    assert.match(
      error.message,
      /^boot failed Cleaning up failed, so these were kept: the workspace of "dev" \(device busy\)\.$/,
    );
    assert.ok(t.storage.workspaces.has("telegram_42/dev"));
  });

  void it("a workspace failure stops before the backend is called", async () => {
    const t = createTestCore();
    t.storage.failNext("createWorkspace", new HostFailureError("pool offline"));
    await rejection((await t.core.create(alice, { name: "dev" })).wait());
    assert.equal(t.backend.injector.callsOf("create").length, 0);
    assert.equal((t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workloads").get() as Record<string, unknown>).n, 0);
  });

  void it("no workspace: no workspace is created or mounted", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", workspace: { enabled: false } });
    workloadOf(await t.core.start(alice, "dev"));
    assert.equal(t.storage.workspaces.size, 0);
    assert.equal(t.storage.injector.callsOf("ensureWorkspaceMounted").length, 0);
  });
});

void describe("planCreate", () => {
  void it("validates and admits like create, returns the backend plan and touches nothing", async () => {
    const t = createTestCore();
    const plan = await planCreate(t.core, alice, { name: "dev", modules: ["git", "fish"] });
    assert.deepEqual(plan.spec.modules, ["git", "fish", "workspace"]);
    assert.equal(plan.owner, TEST_USERS.alice);
    assert.equal(plan.backend, "fake");
    assert.deepEqual(
      plan.backendPlan,
      { artifacts: [], commands: [] },
      "the backend's host files and commands are for admins",
    );
    assert.ok(
      (await planCreate(t.core, actor(TEST_USERS.admin), { name: "dev", modules: ["git"] })).backendPlan.artifacts
        .length > 0,
    );
    assert.ok(plan.workspaceHostPath?.endsWith("/telegram_42/dev"));
    assert.equal((t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workloads").get() as Record<string, unknown>).n, 0);
    assert.equal(t.storage.calls.length, 0);
    assert.deepEqual(t.backend.calls.map((call) => call.method).sort(), ["plan", "plan", "show", "show"]);
  });

  void it("reports the same errors as create", async () => {
    const t = createTestCore();
    await createReady(t.core, bob, { name: "dev" });
    assert.equal((await rejection(planCreate(t.core, alice, { name: "dev" }))).kind, "conflict");
    assert.equal((await rejection(planCreate(t.core, alice, { name: "dev\n" }))).kind, "invalid-input");
    assert.equal((await rejection(planCreate(t.core, actor(TEST_USERS.pending), { name: "x" }))).kind, "forbidden");
  });
});
