/**
 * Two users through the real CLI (`node bin/voxnix.js`) on real nspawn and btrfs: one creates
 * through `voxnix say` (the chat pipeline), the other through `voxnix ctl`; neither sees or
 * touches the other's container, the containers cannot reach each other over the network,
 * exec passes exit statuses through, and bad input leaves nothing behind on the host.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { createE2eEnv, e2eUnavailable, hostFootprint, voxnix, storySteps, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const first = ["--as", "telegram:42"];
const second = ["--as", "telegram:43"];

describe("nspawn end-to-end: two users through the CLI", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  const { step, failed } = storySteps();
  before(async () => {
    // The admin opened ping to the host; nothing else of the host is reachable (isolation.test.ts).
    env = await createE2eEnv({ hostAccess: ["icmp"] });
  });
  after(async () => {
    await env?.cleanup(failed());
  });
  const address = async (name: string) =>
    (await env.backend().show(name as never))?.addresses[0] ?? assert.fail(`${name} has no address`);

  step("the first user creates a container by chatting, then runs a command in it", async () => {
    const said = await voxnix(env, [...first, "say", "spin up a dev container called web with git"]);
    assert.equal(said.code, 0, said.stdout + said.stderr);
    const git = await voxnix(env, [...first, "ctl", "exec", "web", "--", "git", "--version"]);
    assert.equal(git.code, 0, git.stderr);
    assert.match(git.stdout, /^git version/);
    const status = await voxnix(env, [...first, "ctl", "exec", "web", "--", "sh", "-c", "exit 5"]);
    assert.equal(status.code, 5, "the command's exit status is the CLI's exit status");
  });

  step("the second user creates one with ctl", async () => {
    const created = await voxnix(env, [...second, "ctl", "create", "api", "--module", "git"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });

  step("neither user sees or touches the other's container", async () => {
    const firstList = await voxnix(env, [...first, "ctl", "list"]);
    assert.match(firstList.stdout, /\bweb\b/);
    assert.doesNotMatch(firstList.stdout, /\bapi\b/);
    const secondList = await voxnix(env, [...second, "ctl", "list"]);
    assert.match(secondList.stdout, /\bapi\b/);
    assert.doesNotMatch(secondList.stdout, /\bweb\b/);
    for (const args of [
      ["ctl", "show", "web"],
      ["ctl", "exec", "web", "--", "true"],
      ["ctl", "stop", "web"],
      ["ctl", "logs", "web"],
    ]) {
      const result = await voxnix(env, [...second, ...args]);
      assert.equal(result.code, 3, `${args.join(" ")} by another user answers not-found (${result.stderr})`);
    }
    const taken = await voxnix(env, [...second, "ctl", "create", "web", "--module", "git"]);
    assert.notEqual(taken.code, 0, "a name taken by another user is refused");
    assert.equal(
      (await env.backend().show("web" as never))?.state,
      "running",
      "the first user's container is untouched",
    );
  });

  step("their containers cannot reach each other, but reach the host where the admin opened it (ping)", async () => {
    const web = await address("web");
    const api = await address("api");
    const gateway = env.subnet.replace(/\.0\/\d+$/, ".1");
    const toHost = await voxnix(env, [...first, "ctl", "exec", "web", "--", "ping", "-c", "1", "-W", "2", gateway]);
    assert.equal(toHost.code, 0, `web reaches the gateway ${gateway}: ${toHost.stdout}`);
    const across = await voxnix(env, [...first, "ctl", "exec", "web", "--", "ping", "-c", "2", "-W", "1", api]);
    assert.notEqual(across.code, 0, `web must not reach api at ${api}`);
    const back = await voxnix(env, [...second, "ctl", "exec", "api", "--", "ping", "-c", "2", "-W", "1", web]);
    assert.notEqual(back.code, 0, `api must not reach web at ${web}`);
  });

  step("bad input leaves no residue on the host", async () => {
    const names = ["web", "api", "x1", "ok-name"];
    const before = await hostFootprint(env, names);
    const attempts: [string[], number][] = [
      [["ctl", "create", "Bad_Name"], 2],
      [["ctl", "create", "averyveryverylongname"], 2],
      [["ctl", "create", "x1", "--module", "tailscale"], 2],
      [["ctl", "create", "ok-name", "--module", "nosuchmodule"], 2],
    ];
    for (const [args, code] of attempts) {
      const result = await voxnix(env, [...second, ...args]);
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    }
    const refused = await voxnix(env, [...second, "ctl", "create", "x1", "--module", "tailscale"]);
    assert.match(refused.stderr + refused.stdout, /git/, "the refusal lists what the backend can provide");
    assert.deepEqual(await hostFootprint(env, names), before);
  });
});
