import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCliHarness } from "./cli-harness.js";

const ALICE = "telegram:42";

describe("long jobs", () => {
  it("show plain progress lines on stderr when not on a terminal, and the result on stdout", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "dev", "--as", ALICE);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /^\.\.\. Creating dev \(job \S+\)$/m);
    assert.match(outcome.stderr, /^done: dev is running$/m);
    assert.match(outcome.stdout, /^dev created \(live: running\)/m);
  });

  it("print nothing but the final JSON with --json", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "dev", "--as", ALICE, "--json");
    assert.equal(outcome.stderr, "");
    assert.equal(outcome.stdout.trim().split("\n").length, 1);
  });

  it("a failing create reports the failure (exit 1) and leaves the workload absent", async () => {
    const harness = createCliHarness();
    const { HostFailureError } = await import("../../../src/domain/errors.js");
    harness.backend.injector.failNext(
      "create",
      new HostFailureError("The container did not boot.", "systemd-nspawn exited with 1"),
    );
    const outcome = await harness.cli("ctl", "create", "dev", "--as", ALICE);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /^failed: /m);
    assert.match(outcome.stderr, /^error: The container did not boot\./m);
    const list = (await harness.cli("ctl", "list", "--as", ALICE, "--json")).json();
    assert.deepEqual(
      list.result.workloads.filter((workload: { status: string }) => workload.status === "ready"),
      [],
    );
  });
});

describe("lifecycle commands", () => {
  it("stop and start change the live state; --dry-run changes nothing", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const dry = await harness.cli("ctl", "stop", "dev", "--as", ALICE, "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: nothing was changed\. This is what stop dev would do:\n  - power off dev/);
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
    const stop = await harness.cli("ctl", "stop", "dev", "--as", ALICE, "--json");
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(harness.backend.containers.get("dev")?.state, "stopped");
    assert.equal((await harness.cli("ctl", "start", "dev", "--as", ALICE)).code, 0);
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
  });

  it("start, stop, restart, destroy and restore --dry-run --json print the core's plan and touch nothing", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    await harness.cli("ctl", "create", "gone", "--as", ALICE);
    assert.equal((await harness.cli("ctl", "destroy", "gone", "--yes", "--as", ALICE)).code, 0);
    const hostCallsBefore = harness.backend.calls.filter(
      (call) => !["info", "show", "list"].includes(call.method),
    ).length;
    const tokens = () =>
      (harness.db.sqlite.prepare("SELECT COUNT(*) AS n FROM confirmations").get() as { n: number }).n;
    const tokensBefore = tokens();
    for (const [verb, name] of [
      ["start", "dev"],
      ["stop", "dev"],
      ["restart", "dev"],
      ["destroy", "dev"],
      ["restore", "gone"],
    ] as const) {
      const dry = await harness.cli("ctl", verb, name, "--as", ALICE, "--dry-run", "--json");
      assert.equal(dry.code, 0, `${verb}: ${dry.stderr}`);
      const plan = dry.json().result;
      assert.equal(plan.dryRun, true);
      assert.equal(plan.operation, verb);
      assert.equal(plan.workload, name);
      assert.ok(plan.steps.length > 0, `${verb} lists its steps`);
    }
    assert.equal(
      harness.backend.calls.filter((call) => !["info", "show", "list"].includes(call.method)).length,
      hostCallsBefore,
      "no host change",
    );
    assert.equal(tokens(), tokensBefore, "no confirmation token issued");
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
    assert.equal(harness.backend.containers.has("gone"), false);
    // The core's checks run: another user's workload is not found, even in a dry run.
    assert.equal((await harness.cli("ctl", "stop", "dev", "--as", "telegram:43", "--dry-run")).code, 3);
  });

  it("keep, idle and images build --dry-run --json print the core's plan and change nothing", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const timers = () => harness.db.sqlite.prepare("SELECT * FROM idle_timers ORDER BY workload").all();
    const before = timers();
    harness.clock.advance(60_000);
    const keep = await harness.cli("ctl", "keep", "dev", "--as", ALICE, "--dry-run", "--json");
    assert.equal(keep.code, 0, keep.stderr);
    assert.deepEqual(keep.json().result.workloads, ["dev"]);
    assert.equal(keep.json().result.operation, "keep");
    const idle = await harness.cli("ctl", "idle", "dev", "2h", "--as", ALICE, "--dry-run", "--json");
    assert.equal(idle.code, 0, idle.stderr);
    assert.equal(idle.json().result.operation, "setIdleTimeout");
    assert.equal(idle.json().result.timeout, "2h");
    const human = await harness.cli("ctl", "idle", "dev", "off", "--as", ALICE, "--dry-run");
    assert.match(human.stdout, /Dry run: nothing was changed\. This is what idle dev would do:\n {2}- never stop dev/);
    assert.deepEqual(timers(), before, "no timer reset or set");
    // The same checks as the real commands: a bad timeout is exit 2, another user's workload exit 3.
    assert.equal((await harness.cli("ctl", "idle", "dev", "soon", "--as", ALICE, "--dry-run")).code, 2);
    assert.equal((await harness.cli("ctl", "keep", "dev", "--as", "telegram:43", "--dry-run")).code, 3);
    // images build: admins only, in a dry run too.
    assert.equal((await harness.cli("images", "build", "--as", ALICE, "--dry-run")).code, 1);
    const images = await harness.cli("images", "build", "--dry-run", "--json");
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.json().result.operation, "buildImages");
    assert.equal(harness.backend.injector.callsOf("buildImages").length, 0);
  });

  it("confirm --dry-run checks the token through the core and does not use it", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const { token } = (await harness.cli("ctl", "destroy", "dev", "--as", ALICE, "--json")).json().error;
    const dry = await harness.cli("ctl", "confirm", token, "--as", ALICE, "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(
      { operation: dry.json().result.operation, confirms: dry.json().result.confirms },
      { operation: "confirm", confirms: "destroy" },
    );
    // Another user's token, or a made-up one, is refused as the real confirm refuses it (exit 3).
    assert.equal((await harness.cli("ctl", "confirm", token, "--as", "telegram:43", "--dry-run")).code, 3);
    assert.equal((await harness.cli("ctl", "confirm", "abcdefghijkl", "--as", ALICE, "--dry-run")).code, 3);
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
    assert.equal((await harness.cli("ctl", "confirm", token, "--as", ALICE)).code, 0, "the token still works");
    assert.equal(harness.backend.containers.has("dev"), false);
  });

  it("web link --dry-run is the core's plan for the acting user; no link is made", async () => {
    const harness = createCliHarness();
    const dry = await harness.cli("web", "link", "--as", ALICE, "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(
      { operation: dry.json().result.operation, user: dry.json().result.user },
      { operation: "createLoginLink", user: ALICE },
    );
    assert.equal(dry.json().result.url, undefined);
    const links = harness.db.sqlite.prepare("SELECT COUNT(*) AS n FROM login_links").get() as { n: number };
    assert.equal(links.n, 0);
  });

  it("the services (serve, telegram, http, ssh-gateway) refuse --dry-run (exit 2) and start nothing", async () => {
    const harness = createCliHarness();
    for (const command of ["serve", "telegram", "http", "ssh-gateway"]) {
      const refused = await harness.cli(command, "--dry-run", "--json");
      assert.equal(refused.code, 2, `${command}: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.json().error.issues[0].message, /has no dry run/);
    }
    assert.equal(harness.appsBuilt(), 0, "no app was even assembled");
  });

  it("proxmox rekey refuses --dry-run (exit 2) rather than pinning a key", async () => {
    const harness = createCliHarness();
    const rekey = await harness.cli("proxmox", "rekey", "lab", "--accept", "SHA256:abc", "--dry-run", "--json");
    assert.equal(rekey.code, 2, rekey.stderr);
    assert.match(rekey.json().error.issues[0].message, /no dry run/);
  });

  it("logs validates --lines (exit 2) and prints lines", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    assert.equal((await harness.cli("ctl", "logs", "dev", "--lines", "zero", "--as", ALICE)).code, 2);
    const logs = await harness.cli("ctl", "logs", "dev", "--lines", "5", "--as", ALICE, "--json");
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(Array.isArray(logs.json().result));
  });

  it("a destroyed workload can be restored", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    assert.equal((await harness.cli("ctl", "destroy", "dev", "--yes", "--as", ALICE)).code, 0);
    const dry = await harness.cli("ctl", "restore", "dev", "--as", ALICE, "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.json().result.operation, "restore");
    assert.equal(dry.json().result.workload, "dev");
    assert.equal(harness.backend.containers.has("dev"), false);
    const restore = await harness.cli("ctl", "restore", "dev", "--as", ALICE, "--json");
    assert.equal(restore.code, 0, restore.stderr);
    assert.equal(restore.json().result.name, "dev");
    assert.ok(harness.backend.containers.has("dev"));
  });

  it("restore of something never destroyed is not found (exit 3)", async () => {
    const harness = createCliHarness();
    assert.equal((await harness.cli("ctl", "restore", "ghost", "--as", ALICE, "--dry-run")).code, 3);
  });
});

describe("admin commands", () => {
  it("reconcile runs for admins and is refused to users", async () => {
    const harness = createCliHarness();
    const admin = await harness.cli("ctl", "reconcile", "--json");
    assert.equal(admin.code, 0, admin.stderr);
    assert.equal(typeof admin.json().result.prunedSnapshots, "number");
    assert.equal((await harness.cli("ctl", "reconcile", "--as", ALICE)).code, 1);
  });

  it("reconcile --dry-run is the core's plan, for admins only like the real one", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.containers.delete("dev");
    harness.backend.addUnmanaged("stray");
    const dry = await harness.cli("ctl", "reconcile", "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    const { operation, missing, unmanaged } = dry.json().result;
    assert.deepEqual(
      { operation, missing, unmanaged },
      { operation: "reconcile", missing: ["dev"], unmanaged: ["stray"] },
    );
    assert.equal((await harness.cli("ctl", "reconcile", "--as", ALICE, "--dry-run")).code, 1);
  });

  it("users approve and deny change the status; an unknown user is exit 3", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "list", "--as", "telegram:99").catch(() => undefined);
    const deny = await harness.cli("users", "deny", "telegram:99", "--json");
    assert.equal(deny.code, 0, deny.stderr);
    assert.equal(deny.json().result.status, "denied");
    const approve = await harness.cli("users", "approve", "telegram:99", "--dry-run");
    assert.match(
      approve.stdout,
      /This is what users approve telegram:99 would do:\n {2}- approve telegram:99 \(now denied\)/,
    );
    assert.equal((await harness.cli("users", "approve", "telegram:12345", "--dry-run")).code, 3);
  });

  it("users approve, deny and limits --dry-run are the core's plans: same checks, nothing changed", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const users = () => harness.db.sqlite.prepare("SELECT * FROM users ORDER BY id").all();
    const before = users();
    const deny = await harness.cli("users", "deny", ALICE, "--dry-run", "--json");
    assert.equal(deny.code, 0, deny.stderr);
    assert.equal(deny.json().result.operation, "denyUser");
    assert.ok(
      deny.json().result.steps.some((step: string) => /stop dev/.test(step)),
      deny.stdout,
    );
    const limits = await harness.cli("users", "limits", ALICE, "--disk", "20G", "--dry-run", "--json");
    assert.equal(limits.code, 0, limits.stderr);
    assert.deepEqual(limits.json().result.steps, ["diskQuotaBytes: 10737418240 → 21474836480"]);
    // Like the real commands: a bad size is exit 2, a user is refused (exit 1), denying yourself exit 2.
    assert.equal((await harness.cli("users", "limits", ALICE, "--disk", "lots", "--dry-run")).code, 2);
    assert.equal((await harness.cli("users", "approve", ALICE, "--as", ALICE, "--dry-run")).code, 1);
    assert.equal((await harness.cli("users", "deny", "local:admin", "--dry-run")).code, 2);
    assert.deepEqual(users(), before, "no user changed");
    assert.equal(harness.backend.containers.get("dev")?.state, "running");
  });

  it("users list renders a table", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "list", "--as", ALICE);
    const list = await harness.cli("users", "list");
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+ROLE\s+STATUS/m);
    assert.match(list.stdout, /^telegram:42\s+user\s+active/m);
  });
});

describe("ctl create flags", () => {
  it("turn --option, --cpu, --memory and --no-workspace into the spec", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli(
      "ctl",
      "create",
      "web",
      "--module",
      "code-server",
      "--option",
      "code-server.port=9000",
      "--cpu",
      "2",
      "--memory",
      "2G",
      "--no-workspace",
      "--dry-run",
      "--json",
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    const spec = outcome.json().result.spec;
    assert.equal(spec.moduleOptions["code-server"].port, 9000);
    assert.equal(spec.resources.cpus, 2);
    assert.equal(spec.resources.memoryBytes, 2 * 1024 ** 3);
    assert.equal(spec.workspace.enabled, false);
  });

  it("a malformed --option exits 2 naming the flag", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "web", "--option", "port9000", "--dry-run");
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /--option takes module\.key=value/);
  });

  it("--option constructor.x, __proto__.x or code-server.prototype exits 2 and leaves Object alone", async () => {
    const harness = createCliHarness();
    for (const pair of [
      "constructor.x=1",
      "__proto__.polluted=1",
      "code-server.prototype=1",
      "code-server.constructor=1",
    ]) {
      const outcome = await harness.cli(
        "ctl",
        "create",
        "web",
        "--module",
        "code-server",
        "--option",
        pair,
        "--as",
        "telegram:42",
      );
      assert.equal(outcome.code, 2, pair);
      assert.match(outcome.stderr, /is not allowed as a module or option name/);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object as unknown as Record<string, unknown>).x, undefined);
    assert.equal(harness.backend.containers.size, 0);
  });

  it("--memory 4K exits 2 naming the minimum and runs nothing on the host", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "x", "--memory", "4K", "--as", "telegram:42");
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /at least 64M of memory/);
    assert.deepEqual(
      harness.backend.calls.filter((call) => call.method !== "info" && call.method !== "list"),
      [],
    );
    assert.deepEqual(harness.storage.calls, []);
    const cpu = await harness.cli("ctl", "create", "x", "--cpu", "0.001", "--as", "telegram:42");
    assert.equal(cpu.code, 2);
    assert.match(cpu.stderr, /at least 0\.01 CPUs/);
  });

  it("--pids sets the spec's process limit; show prints it; below 16 exits 2", async () => {
    const harness = createCliHarness();
    const created = await harness.cli("ctl", "create", "web", "--pids", "1024", "--as", "telegram:42", "--json");
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json().result.spec.resources.pids, 1024);
    const shown = await harness.cli("ctl", "show", "web", "--as", "telegram:42");
    assert.match(shown.stdout, /^pids:\s+1024$/m);
    const tooFew = await harness.cli("ctl", "create", "few", "--pids", "8", "--as", "telegram:42");
    assert.equal(tooFew.code, 2);
    assert.match(tooFew.stderr, /at least 16 processes/);
  });

  it("--remote-access asks for remote access", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cli("ctl", "create", "web", "--remote-access", "--dry-run", "--json");
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.json().result.spec.remoteAccess, true);
  });
});

describe("progress on a terminal", () => {
  it("uses a spinner that ends with the job's success line", async () => {
    const harness = createCliHarness();
    const outcome = await harness.cliOnTerminal("ctl", "create", "dev", "--as", ALICE);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.terminal, /dev is running/);
    assert.doesNotMatch(outcome.stderr, /^\.\.\. /m, "no plain progress lines on a terminal");
    assert.match(outcome.stdout, /^dev created/m);
  });
});
