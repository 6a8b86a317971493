/**
 * `voxnix ctl start|stop|restart|destroy|restore NAME --dry-run --json` through the bundled CLI
 * on real nspawn and btrfs (issue 9's "what will be tried"): each prints the core's plan
 * (`{"ok":true,"result":{"dryRun":true,"operation",…,"steps":[…]}}`, exit 0) and touches
 * nothing: the running container keeps its leader process (no restart), nothing is restored, no
 * token, job, snapshot or subvolume appears. Another user's workload is exit 3 and a bad name
 * exit 2, as for the real commands. The destroy that set this up is in the audit log as a plan
 * (`answered: needs-confirmation`) and a confirmation, both `ok`, never as an error.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { App } from "../../src/app/app.js";
import { createE2eEnv, e2eUnavailable, hostFootprint, storySteps, voxnix, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const owner = ["--as", "telegram:42"];
const admin = { userId: "local:admin" as const };

describe("nspawn end-to-end: --dry-run of the lifecycle verbs through the CLI", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let app: App;
  const { step, failed } = storySteps();
  before(async () => {
    env = await createE2eEnv();
    app = await env.app();
  });
  after(async () => {
    await app?.close();
    await env?.cleanup(failed());
  });

  /** Rows a dry run must not add: tokens, jobs, snapshots, workloads. */
  const rows = () =>
    Object.fromEntries(
      ["confirmations", "jobs", "snapshots", "workloads"].map((table) => [
        table,
        (app.db.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    );
  const leaderPid = async (name: string) => (await app.core.show(admin, name)).facts.leaderPid;

  step("sets up: dev running; gone destroyed through the plan and its confirmation", async () => {
    for (const name of ["dev", "gone"]) {
      const created = await voxnix(env, [...owner, "ctl", "create", name, "--json"]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
    }
    const asked = await voxnix(env, [...owner, "ctl", "destroy", "gone", "--json"]);
    assert.equal(asked.code, 4, asked.stdout + asked.stderr);
    const body = JSON.parse(asked.stdout) as { ok: boolean; error: { kind: string; token: string } };
    assert.equal(body.error.kind, "needs-confirmation");
    const confirmed = await voxnix(env, [...owner, "ctl", "confirm", body.error.token, "--json"]);
    assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    assert.equal(JSON.parse(confirmed.stdout).result.workload, "gone");
  });

  step("start, stop, restart, destroy and restore --dry-run --json print the plan and touch nothing", async () => {
    const footprint = await hostFootprint(env, ["dev", "gone"]);
    const pid = await leaderPid("dev");
    assert.ok(pid, "dev runs");
    const before = rows();
    for (const [verb, name] of [
      ["start", "dev"],
      ["stop", "dev"],
      ["restart", "dev"],
      ["destroy", "dev"],
      ["restore", "gone"],
    ] as const) {
      const dry = await voxnix(env, [...owner, "ctl", verb, name, "--dry-run", "--json"]);
      assert.equal(dry.code, 0, `${verb}: ${dry.stdout}${dry.stderr}`);
      const lines = dry.stdout.trim().split("\n");
      assert.equal(lines.length, 1, `${verb}: one line of JSON on stdout`);
      const { ok, result } = JSON.parse(lines[0]!);
      assert.equal(ok, true);
      assert.equal(result.dryRun, true);
      assert.equal(result.operation, verb);
      assert.equal(result.workload, name);
      assert.ok(Array.isArray(result.steps) && result.steps.length > 0, `${verb} lists its steps`);
      assert.equal(result.token, undefined, `${verb}: a dry run issues no token`);
      if (verb === "destroy") {
        assert.equal(result.destroy.workload, "dev");
        assert.ok(result.destroy.removes.length > 0 && Array.isArray(result.destroy.keeps));
      }
    }
    assert.deepEqual(await hostFootprint(env, ["dev", "gone"]), footprint, "no host change");
    assert.equal(await leaderPid("dev"), pid, "dev was not stopped or restarted");
    assert.deepEqual(rows(), before, "no token, job, snapshot or workload row");
    assert.deepEqual(
      (await env.backend().list()).map((container) => `${container.name} ${container.state}`),
      ["dev running"],
      "gone was not restored",
    );
  });

  step("a dry run runs the core's checks: another user's workload exits 3, a bad name exits 2", async () => {
    const theirs = await voxnix(env, ["--as", "telegram:43", "ctl", "stop", "dev", "--dry-run", "--json"]);
    assert.equal(theirs.code, 3, theirs.stdout + theirs.stderr);
    assert.equal(JSON.parse(theirs.stdout).error.kind, "not-found");
    const bad = await voxnix(env, [...owner, "ctl", "restart", "Bad_Name", "--dry-run", "--json"]);
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.equal(JSON.parse(bad.stdout).error.kind, "invalid-input");
  });

  step("the destroy is audited as a plan and a confirmation, not as an error; dry runs say so", async () => {
    const { entries } = await app.core.auditLog(admin, { workload: "gone" });
    const oldestFirst = [...entries].reverse();
    const destroy = oldestFirst.find(
      (entry) => entry.operation === "destroy" && (entry.args as { dryRun?: boolean }).dryRun !== true,
    );
    assert.ok(destroy, JSON.stringify(oldestFirst));
    assert.equal(destroy.outcome, "ok");
    assert.equal((destroy.args as { answered?: string }).answered, "needs-confirmation");
    const confirm = oldestFirst.find((entry) => entry.operation === "confirm");
    assert.ok(confirm, JSON.stringify(oldestFirst));
    assert.equal(confirm.outcome, "ok");
    assert.equal(confirm.errorKind, undefined);
    assert.ok(confirm.jobId, "the confirmation names its job");
    assert.ok(destroy.id < confirm.id, "the plan comes before its confirmation");
    const restorePlan = oldestFirst.find((entry) => entry.operation === "restore");
    assert.equal(restorePlan?.outcome, "ok");
    assert.equal((restorePlan?.args as { dryRun?: boolean }).dryRun, true);
    const errors = await app.core.auditLog(admin, { user: "telegram:42", outcome: "error" });
    assert.deepEqual(
      errors.entries.map((entry) => `${entry.operation} ${entry.errorKind}`),
      ["restart invalid-input"],
      "the owner's only error is the refused bad name",
    );
  });
});
