/** PATCH /api/v1/workloads/{name}: change a workload over HTTP. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHttpHarness } from "../../fakes/http-harness.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "../core/helpers.js";

const alice = actor(TEST_USERS.alice);

async function setup() {
  const h = await createHttpHarness();
  await createReady(h.core, alice, { name: "dev", modules: ["git", "fish"] });
  return h;
}

void describe("PATCH /workloads/{name}", () => {
  void it("?dryRun=true answers the plan, changing nothing", async () => {
    const h = await setup();
    const answer = await h.call("owner", "PATCH", "/api/v1/workloads/dev?dryRun=true", {
      addModules: ["code-server"],
      cpus: 2,
    });
    assert.equal(answer.status, 200, answer.text);
    const result = answer.json.result as {
      plan: { operation: string; change: { changes: { field: string }[]; restart: boolean } };
    };
    assert.equal(result.plan.operation, "change");
    assert.deepEqual(
      result.plan.change.changes.map((change) => change.field),
      ["modules", "cpus"],
    );
    assert.equal(h.backend.injector.callsOf("change").length, 0);
  });

  void it("a restart answers 409 needs-confirmation; POST /confirmations starts the change job", async () => {
    const h = await setup();
    const answer = await h.call("owner", "PATCH", "/api/v1/workloads/dev", { removeModules: ["fish"], memory: "2G" });
    assert.equal(answer.status, 409, answer.text);
    assert.equal(answer.json.error?.kind, "needs-confirmation");
    assert.equal(answer.json.error?.message, 'Changing "dev" needs confirmation.');
    const confirmed = await h.call("owner", "POST", "/api/v1/confirmations", { token: answer.json.error?.token });
    assert.equal(confirmed.status, 202, confirmed.text);
    assert.equal((confirmed.json.result as { job: { kind: string } }).job.kind, "change");
  });

  void it("a change that needs no restart answers 202 with its plan and job; nothing to change answers 200", async () => {
    const h = await setup();
    await h.core.stop(alice, "dev");
    const started = await h.call("owner", "PATCH", "/api/v1/workloads/dev", { cpus: 2 });
    assert.equal(started.status, 202, started.text);
    const result = started.json.result as { job: { id: string; kind: string }; plan: { restart: boolean } };
    assert.equal(result.job.kind, "change");
    assert.equal(result.plan.restart, false);
    assert.match(started.headers.get("location") ?? "", /^\/api\/v1\/jobs\//);
    while ((await h.core.job(alice, result.job.id)).state === "running")
      await new Promise((resolve) => setTimeout(resolve, 5));
    const same = await h.call("owner", "PATCH", "/api/v1/workloads/dev", { addModules: ["git"] });
    assert.equal(same.status, 200, same.text);
    assert.equal((same.json.result as { unchanged: boolean }).unchanged, true);
  });

  void it("refuses unknown fields and modules with 422, someone else's workload with 404", async () => {
    const h = await setup();
    assert.equal((await h.call("owner", "PATCH", "/api/v1/workloads/dev", { owner: "telegram:43" })).status, 422);
    const unknown = await h.call("owner", "PATCH", "/api/v1/workloads/dev", { addModules: ["nope"] });
    assert.equal(unknown.status, 422, unknown.text);
    assert.equal((await h.call("other", "PATCH", "/api/v1/workloads/dev", { cpus: 2 })).status, 404);
  });
});
