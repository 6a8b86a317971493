/**
 * The workspace's size in chat (issue 13): "grow dev's workspace to 20G", "give web more disk",
 * "make my workspace on api 30 gigs" are changes of that workload's workspace, both offline and
 * through the model's `change_workload` tool; a size below what the workspace holds is refused
 * by the core with both sizes, and questions about the disk never resize it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { userStorageKey } from "../../../src/domain/identity.js";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import { FIXTURE_MODULE_NAMES } from "../../fakes/fixture-catalog.js";
import { createReady } from "../core/helpers.js";
import { actor, createAgentHarness, settle, TEST_USERS } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";
import { workloadOf } from "../../../src/core/api.js";

const GiB = 1024 ** 3;
const alice = actor(TEST_USERS.alice);
const context = { knownNames: ["web", "dev", "api"], catalogNames: FIXTURE_MODULE_NAMES };

void describe("chat: the workspace size", () => {
  void it("reads everyday ways of asking for a bigger or smaller workspace as a change of that workload", () => {
    const cases: [string, string, string][] = [
      ["grow dev's workspace to 20G", "dev", "20G"],
      ["give web more disk", "web", "more"],
      ["make my workspace on api 30 gigs", "api", "30G"],
      ["resize web's workspace to 10 gb", "web", "10G"],
      ["can you give api more storage please", "api", "more"],
      ["shrink dev's disk to 1G", "dev", "1G"],
      ["web needs less space", "web", "less"],
    ];
    for (const [text, name, size] of cases) {
      assert.deepEqual(
        parseIntent(text, context),
        {
          type: "change",
          target: { kind: "named", name },
          addModules: [],
          removeModules: [],
          workspaceSize: size,
          negated: false,
        },
        text,
      );
    }
    // Each size goes with its own word.
    assert.deepEqual(parseIntent("give web 4G of ram and a 20G disk", context), {
      type: "change",
      target: { kind: "named", name: "web" },
      addModules: [],
      removeModules: [],
      memory: "4G",
      workspaceSize: "20G",
      negated: false,
    });
    // "workspace" without a size or a grow word is still the module (which a change refuses to toggle).
    assert.deepEqual(parseIntent("add workspace to dev", context), {
      type: "change",
      target: { kind: "named", name: "dev" },
      addModules: ["workspace"],
      removeModules: [],
      negated: false,
    });
    // A new workload stays a create; questions and negations never resize.
    assert.equal(parseIntent("make me a container called lab with a 30G workspace", context).type, "create");
    assert.equal(parseIntent("how much disk does web use", context).type, "storage");
    assert.equal(parseIntent("does web need more disk?", context).type, "storage");
    const negated = parseIntent("don't grow web's disk", context);
    assert.equal(negated.type === "change" && negated.negated, true);
  });

  void it("grows the workspace in place offline, and refuses one smaller than what it holds, naming both sizes", async () => {
    const harness = createAgentHarness();
    await createReady(harness.core, alice, { name: "dev", workspace: { enabled: true, size: "4G" } });
    harness.storage.write(userStorageKey(TEST_USERS.alice), "dev", 3 * GiB);
    const grown = await harness.pipeline.handle(alice, "give dev more disk");
    await settle(grown);
    assert.match(grown.text, /workspace size 4G → 8G/);
    assert.match(grown.text, /doubled the workspace size from 4G to 8G/);
    assert.equal(grown.confirmation, undefined, "a resize in place needs no confirmation");
    const after = workloadOf(await harness.core.show(alice, "dev")).spec.workspace;
    assert.equal(after.enabled ? after.sizeBytes : undefined, 8 * GiB);
    assert.equal((await harness.core.show(alice, "dev")).live, "running", "no restart");

    const refused = await harness.pipeline.handle(alice, "shrink dev's workspace to 2G");
    assert.match(refused.text, /already holds 3G, more than 2G; choose at least 3G/);
    const kept = workloadOf(await harness.core.show(alice, "dev")).spec.workspace;
    assert.equal(kept.enabled ? kept.sizeBytes : undefined, 8 * GiB, "nothing changed");
  });

  void it("a workspace without a limit is not stepped: the person is asked for a size", async () => {
    const harness = createAgentHarness();
    await createReady(harness.core, alice, { name: "web" });
    assert.deepEqual(
      workloadOf(await harness.core.show(alice, "web")).spec.workspace,
      { enabled: true },
      "created without a limit",
    );
    const reply = await harness.pipeline.handle(alice, "give web more disk");
    assert.match(
      reply.text,
      /no size limit now, so I can't make it bigger by a step\. Say a size, for example "give web a 20G workspace"\. Nothing was changed\./,
    );
    assert.deepEqual(workloadOf(await harness.core.show(alice, "web")).spec.workspace, { enabled: true });
    // Said with a size, it is set.
    await settle(await harness.pipeline.handle(alice, "give web a 5G workspace"));
    assert.deepEqual(workloadOf(await harness.core.show(alice, "web")).spec.workspace, {
      enabled: true,
      sizeBytes: 5 * GiB,
    });
  });

  void it("the model's change_workload tool takes a workspace size, and the core still refuses one below what it holds", async () => {
    const harness = createAgentHarness({
      model: scriptedModel([
        { tool: "change_workload", input: { name: "dev", workspaceSize: "6G" } },
        { tool: "change_workload", input: { name: "dev", workspaceSize: "1G" } },
        { text: "That did not work." },
      ]),
    });
    await createReady(harness.core, alice, { name: "dev", workspace: { enabled: true, size: "4G" } });
    harness.storage.write(userStorageKey(TEST_USERS.alice), "dev", 3 * GiB);
    const grown = await harness.pipeline.handle(alice, "grow dev's workspace to 6G");
    await settle(grown);
    assert.match(grown.text, /workspace size 4G → 6G/);
    const after = workloadOf(await harness.core.show(alice, "dev")).spec.workspace;
    assert.equal(after.enabled ? after.sizeBytes : undefined, 6 * GiB);
    const refused = await harness.pipeline.handle(alice, "make dev's workspace 1G");
    assert.match(refused.text, /already holds 3G, more than 1G/);
    const kept = workloadOf(await harness.core.show(alice, "dev")).spec.workspace;
    assert.equal(kept.enabled ? kept.sizeBytes : undefined, 6 * GiB);
  });
});
