import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ModelMessage } from "ai";
import { trimMessages } from "../../../src/agent/memory/trim.js";
import { ConversationStore } from "../../../src/agent/memory/conversation-store.js";
import { UserQueue } from "../../../src/agent/user-queue.js";
import { createAgentHarness, actor, settle, TEST_USERS } from "./helpers.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

const alice = actor(TEST_USERS.alice);

function toolTurn(index: number): ModelMessage[] {
  return [
    { role: "user", content: `message ${index}` },
    {
      role: "assistant",
      content: [{ type: "tool-call", toolCallId: `c${index}`, toolName: "list_containers", input: {} }],
    },
    {
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: `c${index}`,
          toolName: "list_containers",
          output: { type: "json", value: { containers: [] } },
        },
      ],
    },
    { role: "assistant", content: `answer ${index}` },
  ];
}

describe("conversation memory", () => {
  it("trims on turn boundaries and never separates a tool call from its result", () => {
    const messages = Array.from({ length: 10 }, (_, index) => toolTurn(index)).flat();
    for (let limit = 1; limit <= 41; limit += 1) {
      const trimmed = trimMessages(messages, limit);
      assert.equal(trimmed[0]?.role, "user", `limit ${limit} starts with a user message`);
      assert.ok(trimmed.length <= Math.max(limit, 4), `limit ${limit} respected (a single turn is kept whole)`);
      const calls = new Set(
        trimmed.flatMap((message) =>
          Array.isArray(message.content)
            ? message.content.filter((part) => part.type === "tool-call").map((part) => part.toolCallId)
            : [],
        ),
      );
      const results = trimmed.flatMap((message) =>
        message.role === "tool"
          ? message.content.map((part) => (part.type === "tool-result" ? part.toolCallId : ""))
          : [],
      );
      for (const result of results) assert.ok(calls.has(result), `limit ${limit}: result ${result} has its call`);
    }
    assert.deepEqual(
      trimMessages(messages, 9).map((message) => message.role),
      ["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"],
    );
  });

  it("stores trimmed history in SQLite", () => {
    const harness = createAgentHarness({ config: { conversations: { maxMessages: 6 } } });
    harness.core.whoami(alice).catch(() => undefined);
    const store = new ConversationStore(createConversationsRepository(harness.db), {
      idleMinutes: 30,
      maxMessages: 6,
      clock: harness.clock,
    });
    return harness.core.whoami(alice).then(() => {
      store.save(alice.userId, {
        messages: Array.from({ length: 5 }, (_, index) => toolTurn(index)).flat(),
        focus: "web",
      });
      const loaded = store.load(alice.userId);
      assert.equal(loaded.messages.length, 4);
      assert.equal(loaded.messages[0]?.role, "user");
      assert.equal(loaded.focus, "web");
    });
  });

  it("survives re-creating the pipeline (a restart), including the workload just discussed", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web"));
    await settle(await harness.pipeline.handle(alice, "create api"));
    await harness.pipeline.handle(alice, "status web");
    const restarted = harness.recreate();
    const reply = await restarted.handle(alice, "stop it");
    assert.deepEqual(
      reply.operations.map((operation) => [operation.operation, operation.input.name]),
      [["stop", "web"]],
    );
  });

  it("never stores a pending confirmation's token: after a restart 'yes' destroys nothing", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web"));
    const planned = await harness.pipeline.handle(alice, "destroy web");
    const token = planned.confirmation?.token;
    assert.ok(token !== undefined && token.length > 0);
    const rows = harness.db.sqlite.prepare("SELECT messages_json AS json FROM conversations").all() as {
      json: string;
    }[];
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(!row.json.includes(token), "the token is not in the stored conversation");
    assert.match(rows.map((row) => row.json).join(""), /"pending"/, "the plan itself is remembered");
    const reply = await harness.recreate().handle(alice, "yes");
    await settle(reply);
    assert.equal(harness.backend.containers.has("web"), true, "a typed yes after a restart confirms nothing");
    assert.deepEqual(
      reply.operations.filter((operation) => operation.operation === "confirm"),
      [],
    );
  });

  it("within one process a typed 'yes' still confirms the pending plan", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web"));
    await harness.pipeline.handle(alice, "destroy web");
    await settle(await harness.pipeline.handle(alice, "yes"));
    assert.equal(harness.backend.containers.has("web"), false);
  });

  it("expires after the idle time", async () => {
    const harness = createAgentHarness({ config: { conversations: { idleMinutes: 30 } } });
    await settle(await harness.pipeline.handle(alice, "create web"));
    await settle(await harness.pipeline.handle(alice, "create api"));
    harness.clock.advance(31 * 60_000);
    const reply = await harness.pipeline.handle(alice, "stop it");
    assert.deepEqual(reply.operations, [], "the focus was forgotten, so it asks");
    assert.match(reply.text, /Which one/);
  });

  it("keeps the focus within the idle time", async () => {
    const harness = createAgentHarness({ config: { conversations: { idleMinutes: 30 } } });
    await settle(await harness.pipeline.handle(alice, "create web"));
    await settle(await harness.pipeline.handle(alice, "create api"));
    harness.clock.advance(29 * 60_000);
    const reply = await harness.pipeline.handle(alice, "stop it");
    assert.deepEqual(
      reply.operations.map((operation) => operation.input.name),
      ["api"],
    );
  });

  it("/reset forgets the conversation", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web"));
    await settle(await harness.pipeline.handle(alice, "create api"));
    const reset = await harness.pipeline.handle(alice, "/reset");
    assert.match(reset.text, /forgotten/);
    const row = harness.db.sqlite
      .prepare("SELECT COUNT(*) AS count FROM conversations WHERE user_id = ?")
      .get(alice.userId) as { count: number };
    assert.equal(row.count, 0);
    assert.match((await harness.pipeline.handle(alice, "stop it")).text, /Which one/);
  });

  it("saves a conversation for a user whose first message made no core call", async () => {
    const harness = createAgentHarness();
    await harness.pipeline.handle(alice, "hello");
    const row = harness.db.sqlite
      .prepare("SELECT messages_json FROM conversations WHERE user_id = ?")
      .get(alice.userId) as { messages_json: string } | undefined;
    assert.ok(row);
    assert.match(row.messages_json, /hello/);
  });
});

describe("per-user ordering", () => {
  it("runs one user's work in order and different users in parallel", async () => {
    const queue = new UserQueue();
    const events: string[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const first = queue.run("alice", async () => {
      events.push("alice-1-start");
      await slow;
      events.push("alice-1-end");
    });
    const second = queue.run("alice", async () => void events.push("alice-2"));
    const other = queue.run("bob", async () => void events.push("bob-1"));
    await other;
    assert.deepEqual(events, ["alice-1-start", "bob-1"], "bob did not wait for alice");
    releaseSlow();
    await Promise.all([first, second]);
    assert.deepEqual(events, ["alice-1-start", "bob-1", "alice-1-end", "alice-2"]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(queue.size, 0, "idle keys are dropped");
  });

  it("a failing message does not block the next one", async () => {
    const queue = new UserQueue();
    await assert.rejects(queue.run("alice", async () => Promise.reject(new Error("boom"))));
    assert.equal(await queue.run("alice", async () => 7), 7);
  });

  it("pipeline messages from one user are handled in arrival order", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create api"));
    const replies = await Promise.all([
      harness.pipeline.handle(alice, "create web"),
      harness.pipeline.handle(alice, "show it"),
      harness.pipeline.handle(alice, "list"),
    ]);
    assert.deepEqual(
      replies[1]?.operations.map((operation) => operation.input.name),
      ["web"],
      "'it' saw the create before it",
    );
    assert.deepEqual(replies[2]?.operations[0]?.result, { workloads: ["api", "web"] });
    await settle(replies[0]);
  });
});

describe("history the model sees", () => {
  it("folds tool calls into notes and keeps only recent turns", async () => {
    const { compactHistory } = await import("../../../src/agent/llm/history.js");
    const messages = Array.from({ length: 6 }, (_, index) => toolTurn(index)).flat();
    const compact = compactHistory(messages, 8);
    assert.deepEqual(compact, [
      { role: "user", content: "message 4" },
      { role: "assistant", content: "[list_containers: ok] answer 4" },
      { role: "user", content: "message 5" },
      { role: "assistant", content: "[list_containers: ok] answer 5" },
    ]);
  });
});
