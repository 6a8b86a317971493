import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCliHarness } from "./cli-harness.js";

const ALICE = "telegram:42";
const BOB = "telegram:43";

function workloadRows(db: { sqlite: { prepare(sql: string): { get(): unknown } } }): number {
  return (db.sqlite.prepare("SELECT count(*) AS n FROM workloads").get() as { n: number }).n;
}

describe("voxnix ctl create", () => {
  it("creates a workload for the --as user and prints it as JSON (exit 0)", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli(
      "ctl",
      "create",
      "dev",
      "--module",
      "git",
      "--module",
      "fish",
      "--as",
      ALICE,
      "--json",
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    const body = outcome.json();
    assert.equal(body.ok, true);
    assert.equal(body.result.name, "dev");
    assert.equal(body.result.owner, ALICE);
    assert.ok(harness.backend.containers.has("dev"));
  });

  it("--dry-run prints the validated plan and creates nothing", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli(
      "ctl",
      "create",
      "dev",
      "--module",
      "git",
      "--module",
      "fish",
      "--as",
      ALICE,
      "--dry-run",
      "--json",
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    const body = outcome.json();
    assert.equal(body.ok, true);
    assert.equal(body.result.spec.name, "dev");
    assert.deepEqual(
      body.result.spec.modules.filter((module: string) => module === "git" || module === "fish"),
      ["git", "fish"],
    );
    assert.equal(body.result.owner, ALICE);
    assert.deepEqual(
      body.result.backendPlan,
      { artifacts: [], commands: [] },
      "host files and commands are for admins",
    );
    const asAdmin = (await harness.cli("ctl", "create", "dev", "--module", "git", "--dry-run", "--json")).json();
    assert.ok(asAdmin.result.backendPlan.artifacts.length > 0, "admins see the backend's files");
    assert.equal(harness.backend.calls.filter((call) => call.method === "create").length, 0);
    assert.equal(harness.backend.containers.size, 0);
    assert.equal(workloadRows(harness.db), 0);
  });

  it("--dry-run in human form says nothing was created", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "dev", "--module", "git", "--dry-run");
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /Dry run: nothing was created/);
    assert.equal(workloadRows(harness.db), 0);
  });

  it("a bad name exits 2 with one error line and calls nothing on the backend", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "Bad_Name", "--as", ALICE);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /^error: .*Bad_Name/m);
    assert.equal(outcome.stdout, "");
    assert.deepEqual(
      harness.backend.calls.filter((call) => call.method !== "info" && call.method !== "list"),
      [],
    );
    assert.equal(workloadRows(harness.db), 0);
  });

  it("a bad name with --json gives the invalid-input shape with issues", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "Bad_Name", "--json", "--dry-run");
    assert.equal(outcome.code, 2);
    const body = outcome.json();
    assert.equal(body.ok, false);
    assert.equal(body.error.kind, "invalid-input");
    assert.ok(body.error.issues.some((issue: { path: string }) => issue.path === "name"));
  });

  it("an unknown module exits 2", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "dev", "--module", "no-such-module");
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /no-such-module/);
  });

  it("a malformed --cpu exits 2 before the core is asked", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "dev", "--cpu", "lots");
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /--cpu/);
    assert.equal(workloadRows(harness.db), 0);
  });

  it("a taken name is a conflict (exit 1) that does not reveal the owner", async () => {
    const harness = createCliHarness();
    assert.equal((await harness.cli("ctl", "create", "dev", "--as", ALICE)).code, 0);
    const outcome = await harness.cli("ctl", "create", "dev", "--as", BOB, "--json");
    assert.equal(outcome.code, 1);
    assert.equal(outcome.json().error.kind, "conflict");
    assert.doesNotMatch(outcome.stdout, /42/);
  });
});

describe("ownership through the CLI", () => {
  it("another user gets exit 3 for show, stop and destroy of someone else's workload", async () => {
    const harness = createCliHarness();
    assert.equal((await harness.cli("ctl", "create", "dev", "--as", ALICE)).code, 0);
    for (const command of ["show", "stop", "destroy"]) {
      const outcome = await harness.cli("ctl", command, "dev", "--as", BOB);
      assert.equal(outcome.code, 3, `${command}: ${outcome.stderr}`);
      assert.match(outcome.stderr, /^error: /);
    }
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
  });

  it("the owner can show their workload (exit 0, key/value output)", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const outcome = await harness.cli("ctl", "show", "dev", "--as", ALICE);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /^name:\s+dev$/m);
    assert.match(outcome.stdout, /^owner:\s+telegram:42$/m);
  });

  it("list shows users only their own workloads", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    await harness.cli("ctl", "create", "web", "--as", BOB);
    const alice = (await harness.cli("ctl", "list", "--as", ALICE, "--json")).json();
    assert.deepEqual(
      alice.result.workloads.map((workload: { name: string }) => workload.name),
      ["dev"],
    );
    const admin = (await harness.cli("ctl", "list", "--json")).json();
    assert.deepEqual(admin.result.workloads.map((workload: { name: string }) => workload.name).sort(), ["dev", "web"]);
  });
});

describe("destroy and confirm", () => {
  it("destroy exits 4 with the plan and a token; the owner's confirm destroys", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const destroy = await harness.cli("ctl", "destroy", "dev", "--as", ALICE, "--json");
    assert.equal(destroy.code, 4);
    const body = destroy.json();
    assert.equal(body.ok, false);
    assert.equal(body.error.kind, "needs-confirmation");
    assert.equal(body.error.plan.workload, "dev");
    assert.equal(typeof body.error.token, "string");
    assert.ok(harness.backend.containers.has("dev"), "nothing is destroyed before confirmation");

    const confirm = await harness.cli("ctl", "confirm", body.error.token, "--as", ALICE);
    assert.equal(confirm.code, 0, confirm.stderr);
    assert.match(confirm.stdout, /dev destroyed/);
    assert.equal(harness.backend.containers.has("dev"), false);
  });

  it("human destroy prints the plan and the confirm command on stdout", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const destroy = await harness.cli("ctl", "destroy", "dev", "--as", ALICE);
    assert.equal(destroy.code, 4);
    assert.match(destroy.stdout, /needs confirmation/);
    assert.match(destroy.stdout, /voxnix ctl confirm \S+/);
  });

  it("confirming someone else's token is refused and destroys nothing", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const token = (await harness.cli("ctl", "destroy", "dev", "--as", ALICE, "--json")).json().error.token as string;
    const confirm = await harness.cli("ctl", "confirm", token, "--as", BOB, "--json");
    assert.notEqual(confirm.code, 0);
    assert.equal(confirm.json().ok, false);
    assert.ok(harness.backend.containers.has("dev"));
    // The owner can still use it afterwards.
    assert.equal((await harness.cli("ctl", "confirm", token, "--as", ALICE)).code, 0);
    assert.equal(harness.backend.containers.has("dev"), false);
  });

  it("destroy --yes confirms and destroys in one step", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const outcome = await harness.cli("ctl", "destroy", "dev", "--as", ALICE, "--yes", "--json");
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.json().result.workload, "dev");
    assert.equal(harness.backend.containers.has("dev"), false);
  });

  it("destroy --dry-run shows the plan and keeps the workload", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const outcome = await harness.cli("ctl", "destroy", "dev", "--as", ALICE, "--dry-run", "--json");
    assert.equal(outcome.code, 0, outcome.stderr);
    const result = outcome.json().result;
    assert.equal(result.operation, "destroy");
    assert.equal(result.workload, "dev");
    assert.equal(result.destroy.workload, "dev");
    assert.equal(result.token, undefined, "a dry run issues no token");
    assert.ok(harness.backend.containers.has("dev"));
  });
});

describe("global options and usage", () => {
  it("a malformed --as exits 2 without building the app", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "list", "--as", "mallory");
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /--as|user id/);
    assert.equal(harness.appsBuilt(), 0);
  });

  it("an unknown command is a usage error (exit 2), and --json reports kind usage", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "frobnicate", "--json");
    assert.equal(outcome.code, 2);
    assert.equal(outcome.json().error.kind, "usage");
    assert.equal(harness.appsBuilt(), 0);
  });

  it("--help exits 0 and lists the ctl commands without building the app", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "--help");
    assert.equal(outcome.code, 0);
    assert.match(outcome.stdout, /create/);
    assert.match(outcome.stdout, /confirm/);
    assert.equal(harness.appsBuilt(), 0);
  });

  it("--as an unknown user registers and approves them before the command runs", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "list", "--as", "telegram:777", "--json");
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /approved telegram:777/);
    const users = (await harness.cli("users", "list", "--json")).json().result as { id: string; status: string }[];
    assert.equal(users.find((user) => user.id === "telegram:777")?.status, "active");
  });

  it("--as a denied user stays refused (exit 1, forbidden)", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "list", "--as", "telegram:99");
    assert.equal((await harness.cli("users", "deny", "telegram:99")).code, 0);
    const outcome = await harness.cli("ctl", "list", "--as", "telegram:99", "--json");
    assert.equal(outcome.code, 1);
    assert.equal(outcome.json().error.kind, "forbidden");
  });
});

describe("admin commands", () => {
  it("users limits sets the given limits", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "list", "--as", ALICE);
    const outcome = await harness.cli("users", "limits", ALICE, "--disk", "20G", "--workloads", "7", "--json");
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.json().result.limits.maxWorkloads, 7);
    assert.equal(outcome.json().result.limits.diskQuotaBytes, 20 * 1024 ** 3);
    const pids = await harness.cli("users", "limits", ALICE, "--pids", "2048", "--json");
    assert.equal(pids.code, 0, pids.stderr);
    assert.equal(pids.json().result.limits.pidsBudget, 2048);
    assert.equal(pids.json().result.limits.maxWorkloads, 7, "other limits stay");
    const tooFew = await harness.cli("users", "limits", ALICE, "--pids", "4");
    assert.equal(tooFew.code, 2);
    assert.match(tooFew.stderr, /at least 16 processes/);
  });

  it("a non-admin gets exit 1 for users list", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("users", "list", "--as", ALICE, "--json");
    assert.equal(outcome.code, 1);
    assert.equal(outcome.json().error.kind, "forbidden");
  });

  it("doctor exits 0 when the backend is ready and 1 when a check fails", async () => {
    const harness = createCliHarness();
    const ok = await harness.cli("doctor");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ok /m);
    harness.backend.doctorChecks = [
      { name: "machinectl", ok: false, detail: "machinectl is missing.", fix: "apt-get install systemd-container" },
    ];
    const failing = await harness.cli("doctor");
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /FAIL\s+machinectl/);
    assert.match(failing.stdout, /fix: apt-get install systemd-container/);
  });

  it("storage and job render for the owner", async () => {
    const harness = createCliHarness();
    const created = (await harness.cli("ctl", "create", "dev", "--as", ALICE, "--json")).json();
    assert.equal(created.ok, true);
    const storage = await harness.cli("ctl", "storage", "--as", ALICE, "--json");
    assert.equal(storage.code, 0, storage.stderr);
    assert.equal(storage.json().result.user, ALICE);
    const rows = harness.db.sqlite.prepare("SELECT id FROM jobs").all() as { id: string }[];
    assert.ok(rows.length > 0);
    const job = await harness.cli("ctl", "job", rows[0]!.id, "--as", ALICE);
    assert.equal(job.code, 0, job.stderr);
    assert.match(job.stdout, /^kind:\s+create$/m);
    assert.equal((await harness.cli("ctl", "job", rows[0]!.id, "--as", BOB)).code, 3);
  });
});
