/** `change`: plan diff, no-op, budgets, ownership, confirmation of disruptive changes, rollback, audit, the workspace size in place. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostFailureError } from "../../../src/domain/errors.js";
import type { ChangeOutcome, ChangeResult, ConfirmedResult } from "../../../src/core/api.js";
import { isChangePlan, type ChangePlan } from "../../../src/api/outcome.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";
import { actor, createTestCore, TEST_USERS, type TestCore } from "../../fakes/core-harness.js";
import { createReady, rejection } from "./helpers.js";
import { userStorageKey } from "../../../src/domain/identity.js";
import { workloadOf } from "../../../src/core/api.js";

async function jobOf(answer: Promise<ChangeOutcome>) {
  const outcome = await answer;
  assert.equal(outcome.type, "job");
  if (outcome.type !== "job") throw new Error("unreachable");
  return outcome.job;
}

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const GiB = 1024 ** 3;

async function setup(options: Parameters<typeof createTestCore>[0] = {}): Promise<TestCore> {
  const t = createTestCore(options);
  await createReady(t.core, alice, { name: "dev", modules: ["git", "fish"] });
  return t;
}

function specOf(t: TestCore, name: string) {
  return t.db.sqlite.prepare("SELECT spec_json FROM workloads WHERE name = ?").pluck().get(name) as string;
}

function auditRows(
  t: TestCore,
): { operation: string; outcome: string; args_json: string; error_kind: string | null }[] {
  return t.db.sqlite
    .prepare(
      "SELECT operation, outcome, args_json, error_kind FROM operations WHERE operation IN ('change', 'confirm') ORDER BY id",
    )
    .all() as never;
}

async function confirmed(t: TestCore, answer: ChangeOutcome): Promise<ConfirmedResult> {
  assert.equal(answer.type, "needs-confirmation");
  if (answer.type !== "needs-confirmation") throw new Error("unreachable");
  return (await t.core.confirm(alice, answer.token)).wait();
}

void describe("change a workload", () => {
  void it("plans every field before → after and whether it restarts, touching nothing (dry run)", async () => {
    const t = await setup();
    const before = specOf(t, "dev");
    const planned = await t.core.plan(alice, {
      operation: "change",
      name: "dev",
      change: { addModules: ["code-server"], cpus: 2, memory: "2G" },
    });
    assert.equal(planned.plan.operation, "change");
    if (planned.plan.operation !== "change") return;
    const plan = planned.plan.change;
    assert.deepEqual(
      plan.changes.map((change) => [change.field, change.before, change.after]),
      [
        ["modules", "git, fish, workspace", "git, fish, workspace, code-server"],
        ["cpus", "1", "2"],
        ["memory", "1G", "2G"],
      ],
    );
    assert.equal(plan.restart, true, "dev runs and the fake cannot resize live");
    assert.equal(plan.disruptive, true);
    assert.ok(plan.keeps.some((line) => line.includes("/workspace")));
    assert.ok(planned.plan.steps.includes("cpus: 1 → 2"));
    assert.equal(specOf(t, "dev"), before);
    assert.equal(t.backend.injector.callsOf("change").length, 0);
    assert.equal(
      t.db.sqlite.prepare("SELECT COUNT(*) FROM confirmations").pluck().get(),
      0,
      "a dry run issues no token",
    );
  });

  void it("a change that restarts needs confirmation; confirming applies it, keeps the workspace and records the new spec", async () => {
    const t = await setup();
    const answer = await t.core.change(alice, "dev", { addModules: ["code-server"], removeModules: ["fish"], cpus: 2 });
    assert.equal(answer.type, "needs-confirmation");
    if (answer.type !== "needs-confirmation") return;
    assert.ok(isChangePlan(answer.plan));
    assert.ok(answer.plan.removes.some((line) => line.includes("fish")));
    assert.equal(t.backend.injector.callsOf("change").length, 0, "nothing changes before the confirmation");
    const result = (await (await t.core.confirm(alice, answer.token)).wait()) as ChangeResult;
    assert.equal(result.operation, "change");
    assert.equal(result.restarted, true);
    assert.deepEqual(result.view.spec.modules, ["git", "workspace", "code-server"]);
    assert.equal(result.view.spec.resources.cpus, 2);
    assert.deepEqual(t.backend.restarts, ["dev"]);
    assert.equal(t.backend.containers.get("dev")?.state, "running");
    assert.deepEqual((JSON.parse(specOf(t, "dev")) as { modules: string[] }).modules, [
      "git",
      "workspace",
      "code-server",
    ]);
    assert.equal(t.storage.injector.callsOf("deleteWorkspace").length, 0, "the workspace is kept");
    // The token is single use.
    assert.equal((await rejection(t.core.confirm(alice, answer.token))).kind, "not-found");
  });

  void it("a change of a stopped workload without removals applies at once as a job, without a restart", async () => {
    const t = await setup();
    workloadOf(await t.core.stop(alice, "dev"));
    const answer = await t.core.change(alice, "dev", { addModules: ["devtools"], memory: "2G" });
    assert.equal(answer.type, "job");
    if (answer.type !== "job") return;
    assert.equal(answer.plan.restart, false);
    assert.ok(answer.plan.notes.some((note) => note.includes("next starts")));
    const result = await answer.job.wait();
    assert.equal(result.view.spec.resources.memoryBytes, 2 * GiB);
    assert.deepEqual(t.backend.restarts, []);
    assert.equal(t.backend.containers.get("dev")?.state, "stopped");
  });

  void it("a runtime that resizes live applies a limits-only change without a restart or a confirmation", async () => {
    const t = await setup({ backend: new FakeRuntime({ liveResize: true }) });
    const answer = await t.core.change(alice, "dev", { cpus: 3 });
    assert.equal(answer.type, "job");
    if (answer.type !== "job") return;
    assert.equal(answer.plan.restart, false);
    await answer.job.wait();
    assert.deepEqual(t.backend.restarts, []);
    const [call] = t.backend.injector.callsOf("change");
    assert.equal((call?.args[2] as { live: boolean }).live, true);
  });

  void it("removing a module is disruptive even when the workload is stopped", async () => {
    const t = await setup();
    workloadOf(await t.core.stop(alice, "dev"));
    const answer = await t.core.change(alice, "dev", { removeModules: ["git"] });
    assert.equal(answer.type, "needs-confirmation");
    const result = await confirmed(t, answer);
    assert.equal(result.workload, "dev");
  });

  void it("a change to what the workload already has says so and changes nothing", async () => {
    const t = await setup();
    const answer = await t.core.change(alice, "dev", { addModules: ["git"], cpus: 1 });
    assert.equal(answer.type, "done");
    if (answer.type !== "done") return;
    assert.equal(answer.value.unchanged, true);
    assert.deepEqual(answer.value.changes, []);
    assert.equal(t.backend.injector.callsOf("change").length, 0);
    assert.equal(t.db.sqlite.prepare("SELECT COUNT(*) FROM confirmations").pluck().get(), 0);
  });

  void it("over the user's budget: a clear quota error, and nothing changes", async () => {
    const t = await setup();
    await createReady(t.core, alice, { name: "web", resources: { cpus: 2 } });
    const before = specOf(t, "dev");
    const error = await rejection(t.core.change(alice, "dev", { cpus: 3 }));
    assert.equal(error.kind, "quota");
    assert.match(error.message, /needs 3 CPUs but only 2 of your budget of 4 are left/);
    assert.equal(specOf(t, "dev"), before);
    assert.equal(t.backend.injector.callsOf("change").length, 0);
    // The dry run says the same.
    assert.equal(
      (await rejection(t.core.plan(alice, { operation: "change", name: "dev", change: { cpus: 3 } }))).kind,
      "quota",
    );
  });

  void it("validates against the catalog and the limits like create, listing every problem", async () => {
    const t = await setup();
    const error = await rejection(t.core.change(alice, "dev", { addModules: ["nope"], cpus: 99 }));
    assert.equal(error.kind, "invalid-input");
    assert.match(error.message, /no module called "nope"/);
    assert.match(error.message, /At most 4 CPUs/);
    assert.equal(
      (await rejection(t.core.change(alice, "dev", { removeModules: ["code-server"] }))).kind,
      "invalid-input",
    );
    assert.equal(
      (await rejection(t.core.change(alice, "dev", { removeModules: ["workspace"] }))).kind,
      "invalid-input",
    );
    assert.equal((await rejection(t.core.change(alice, "dev", {}))).kind, "invalid-input");
    assert.equal(
      (await rejection(t.core.change(alice, "dev", { moduleOptions: { ["__proto__"]: { a: 1 } } }))).kind,
      "invalid-input",
    );
  });

  void it("someone else's workload is not found, exactly like a missing one", async () => {
    const t = await setup();
    const other = await rejection(t.core.change(bob, "dev", { cpus: 2 }));
    const missing = await rejection(t.core.change(bob, "nothere", { cpus: 2 }));
    assert.equal(other.kind, "not-found");
    assert.equal(other.message, other.message.replace("dev", "nothere").replace("nothere", "dev"));
    assert.equal(other.message.replace(/"dev"/, '"X"'), missing.message.replace(/"nothere"/, '"X"'));
    // And bob cannot redeem alice's change token.
    const answer = await t.core.change(alice, "dev", { cpus: 2 });
    assert.equal(answer.type, "needs-confirmation");
    if (answer.type !== "needs-confirmation") return;
    assert.equal((await rejection(t.core.confirm(bob, answer.token))).kind, "not-found");
  });

  void it("a failing runtime apply rolls back to the previous spec, keeps the stored spec and fails the job", async () => {
    const t = await setup();
    const before = specOf(t, "dev");
    const answer = await t.core.change(alice, "dev", { addModules: ["code-server"], cpus: 2 });
    assert.equal(answer.type, "needs-confirmation");
    if (answer.type !== "needs-confirmation") return;
    t.backend.failNext("change", new HostFailureError("The container did not boot with the new settings."));
    const job = await t.core.confirm(alice, answer.token);
    const error = await rejection(job.wait());
    assert.equal(error.kind, "host-failure");
    assert.match(error.message, /rolled back to its previous settings/);
    const calls = t.backend.injector.callsOf("change");
    assert.equal(calls.length, 2, "the new spec, then the previous one again");
    assert.deepEqual((calls[1]?.args[1] as { modules: string[] }).modules, ["git", "fish", "workspace"]);
    assert.deepEqual(t.backend.containers.get("dev")?.spec?.modules, ["git", "fish", "workspace"]);
    assert.equal(t.backend.containers.get("dev")?.state, "running");
    assert.equal(specOf(t, "dev"), before);
    const [view] = (await t.core.list(alice)).workloads;
    assert.equal(view?.status, "ready");
  });

  void it("changes a running workload's workspace size in place: no restart, no confirmation, files kept", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", workspace: { enabled: true, size: "2G" } });
    const key = userStorageKey(TEST_USERS.alice);
    t.storage.write(key, "dev", 1.5 * GiB);
    const answer = await t.core.change(alice, "dev", { workspaceSize: "5G" });
    assert.equal(answer.type, "job");
    if (answer.type !== "job") return;
    assert.deepEqual(answer.plan.changes, [{ field: "workspace size", before: "2G", after: "5G" }]);
    assert.equal(answer.plan.restart, false);
    assert.equal(answer.plan.disruptive, false);
    const result = await answer.job.wait();
    const workspace = result.view.spec.workspace;
    assert.equal(workspace.enabled ? workspace.sizeBytes : undefined, 5 * GiB);
    assert.equal(t.storage.workspaces.get(`${key}/dev`)?.limitBytes, 5 * GiB);
    assert.equal(t.storage.workspaces.get(`${key}/dev`)?.usedBytes, 1.5 * GiB, "the files are kept");
    assert.deepEqual(t.backend.injector.callsOf("change"), [], "the runtime is not involved");
    assert.deepEqual(t.backend.restarts, []);
    assert.equal(t.backend.containers.get("dev")?.state, "running");
    // Shrinking to what it still holds is fine; below it is refused with the numbers, and nothing changes.
    await (await jobOf(t.core.change(alice, "dev", { workspaceSize: "1536M" }))).wait();
    assert.equal(t.storage.workspaces.get(`${key}/dev`)?.limitBytes, 1.5 * GiB);
    const tooSmall = await rejection(t.core.change(alice, "dev", { workspaceSize: "1G" }));
    assert.equal(tooSmall.kind, "invalid-input");
    assert.match(JSON.stringify(tooSmall), /already holds 1\.5G, more than 1G; choose at least 1\.5G/);
    assert.equal(t.storage.workspaces.get(`${key}/dev`)?.limitBytes, 1.5 * GiB);
    // Beyond the owner's disk quota (10G here): a quota error, nothing changes.
    const tooBig = await rejection(t.core.change(alice, "dev", { workspaceSize: "20G" }));
    assert.equal(tooBig.kind, "quota");
    assert.match(tooBig.message, /larger than your disk quota of 10G/);
    assert.equal(t.storage.injector.callsOf("resizeWorkspace").length, 2);
  });

  void it("a workspace resize that fails on the host is rolled back with the rest of the change", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", workspace: { enabled: true, size: "2G" } });
    const key = userStorageKey(TEST_USERS.alice);
    const answer = await t.core.change(alice, "dev", { workspaceSize: "4G", addModules: ["devtools"] });
    assert.equal(answer.type, "needs-confirmation", "a module added to a running workload restarts it");
    if (answer.type !== "needs-confirmation") return;
    t.backend.failNext("change", new HostFailureError("The container did not boot with the new settings."));
    const error = await rejection((await t.core.confirm(alice, answer.token)).wait());
    assert.match(error.message, /rolled back to its previous settings/);
    assert.deepEqual(
      t.storage.injector.callsOf("resizeWorkspace").map((call) => call.args[2]),
      [4 * GiB, 2 * GiB],
      "resized, then back",
    );
    assert.equal(t.storage.workspaces.get(`${key}/dev`)?.limitBytes, 2 * GiB);
    const workspace = workloadOf(await t.core.show(alice, "dev")).spec.workspace;
    assert.equal(workspace.enabled ? workspace.sizeBytes : undefined, 2 * GiB);
  });

  void it("a workload without a workspace has no workspace size to change", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "bare", workspace: { enabled: false } });
    const refused = await rejection(t.core.change(alice, "bare", { workspaceSize: "5G" }));
    assert.equal(refused.kind, "invalid-input");
    assert.match(JSON.stringify(refused), /no workspace to resize/);
  });

  void it("a confirmation is refused when the workload changed since the plan", async () => {
    const t = await setup();
    const first = await t.core.change(alice, "dev", { cpus: 2 });
    assert.equal(first.type, "needs-confirmation");
    await confirmed(t, await t.core.change(alice, "dev", { memory: "2G" }));
    if (first.type !== "needs-confirmation") return;
    const error = await rejection(t.core.confirm(alice, first.token));
    assert.equal(error.kind, "conflict");
  });

  void it("a runtime without change support refuses plainly before anything changes", async () => {
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [], change: false });
    const t = createTestCore({ extraRuntimes: [vms] });
    await createReady(t.core, alice, { kind: "vm", name: "lab" } as never);
    const error = await rejection(t.core.change(alice, "lab", { cpus: 2 }));
    assert.equal(error.kind, "invalid-input");
    assert.match(error.message, /Changing VMs is not supported on the fake-vm runtime/);
    assert.equal((await rejection(t.core.change(alice, "lab", { addModules: ["git"] }))).kind, "invalid-input");
  });

  void it("audits the request with every field before → after, and the applied change", async () => {
    const t = await setup();
    await confirmed(t, await t.core.change(alice, "dev", { cpus: 2 }));
    const rows = auditRows(t);
    const request = rows.find((row) => row.operation === "change" && row.args_json.includes("needs-confirmation"));
    assert.ok(request, JSON.stringify(rows));
    assert.match(request.args_json, /"field":"cpus","before":"1","after":"2"/);
    const applied = rows.find((row) => row.operation === "change" && row.args_json.includes("applied"));
    assert.ok(applied);
    assert.match(applied.args_json, /"restarted":true/);
  });

  void it("plans are ChangePlans for the shared confirmation renderers", async () => {
    const t = await setup();
    const answer = await t.core.change(alice, "dev", { cpus: 2 });
    if (answer.type !== "needs-confirmation") return assert.fail("expected a confirmation");
    const plan = answer.plan as ChangePlan;
    assert.equal(plan.workload, "dev");
    assert.ok(plan.removes.some((line) => line.includes("restart")));
  });
});
