import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Api } from "grammy";
import { trackJob } from "../../../src/adapters/telegram/progress.js";
import type { JobEvent, DestroyResult, JobOf } from "../../../src/core/api.js";
import { HostFailureError } from "../../../src/domain/errors.js";
import { silentLogger } from "../../../src/ports/logger.js";
import { FakeTelegramServer } from "../../fakes/fake-telegram-server.js";

/** A job the test drives by hand. */
function manualJob() {
  const listeners = new Set<(event: JobEvent) => void>();
  let finish!: (value: DestroyResult) => void;
  let fail!: (error: unknown) => void;
  const result = new Promise<DestroyResult>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Like the core's jobs: a failure nobody is waiting for yet is not an unhandled rejection.
  result.catch(() => undefined);
  const handle: JobOf<"destroy"> = {
    id: "job-1",
    kind: "destroy",
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wait: () => result,
  };
  const step = (message: string) => {
    for (const listener of listeners) listener({ type: "step", step: "building", message, jobId: "job-1" });
  };
  return { handle, step, finish, fail, listeners };
}

describe("progress message", () => {
  let server: FakeTelegramServer;
  let api: Api;
  before(async () => {
    server = await new FakeTelegramServer().start();
    api = new Api("123456:TEST", { apiRoot: server.apiRoot });
  });
  after(() => server.stop());

  it("coalesces a burst of steps into few edits of one message and ends with the result", async () => {
    const job = manualJob();
    const chatId = 501;
    const done = trackJob(job.handle, "Creating <web>", { api, chatId, logger: silentLogger, intervalMs: 200 });
    const message = await server.waitFor("the progress message", () => server.messagesIn(chatId)[0]);
    for (let index = 1; index <= 30; index++) job.step(`step ${index}`);
    await server.waitFor("the latest step shown", () => message.text.includes("step 30"));
    job.finish({ workload: "web", warnings: [] });
    await done;

    assert.equal(server.messagesIn(chatId).length, 1, "one message");
    const edits = server.callsOf("editMessageText").filter((call) => call.payload.chat_id === chatId);
    assert.ok(edits.length <= 3, `30 steps became ${edits.length} edits`);
    assert.ok(
      edits.every((call) => !/step (?:[1-9]|1\d|2\d)\b/.test(String(call.payload.text))),
      "intermediate steps were skipped",
    );
    assert.match(message.text, /^Creating &lt;web&gt;\n✅ <b>web<\/b> was destroyed\.$/);
    assert.equal(job.listeners.size, 0, "unsubscribed at the end");
  });

  it("never sends unchanged text again", async () => {
    const job = manualJob();
    const chatId = 502;
    const done = trackJob(job.handle, "Working", { api, chatId, logger: silentLogger, intervalMs: 10 });
    const message = await server.waitFor("the progress message", () => server.messagesIn(chatId)[0]);
    job.step("same");
    await server.waitFor("the step", () => message.text.includes("same"));
    job.step("same");
    job.step("same");
    await new Promise((resolve) => setTimeout(resolve, 50));
    job.finish({ workload: "web", warnings: [] });
    await done;
    const failedEdits = server
      .callsOf("editMessageText")
      .filter((call) => call.payload.chat_id === chatId && call.failedWith !== undefined);
    assert.equal(failedEdits.length, 0, "no 'message is not modified' errors");
    assert.equal(message.edits, 2, "one edit for the step, one for the result");
  });

  it("shows a failure in words, and survives a message that can no longer be edited", async () => {
    const job = manualJob();
    const chatId = 503;
    const done = trackJob(job.handle, "Creating web", { api, chatId, logger: silentLogger, intervalMs: 10 });
    const message = await server.waitFor("the progress message", () => server.messagesIn(chatId)[0]);
    job.fail(new HostFailureError("The host ran out of disk space.", "ENOSPC /var/lib/machines"));
    await done;
    assert.match(message.text, /❌ The host could not do that: the host ran out of disk space\./);
    assert.ok(!message.text.includes("ENOSPC"));

    const second = manualJob();
    const tracked = trackJob(second.handle, "Creating api", { api, chatId: 504, logger: silentLogger, intervalMs: 10 });
    const gone = await server.waitFor("the second message", () => server.messagesIn(504)[0]);
    server.messages.delete(gone.messageId);
    second.step("building");
    second.finish({ workload: "api", warnings: [] });
    await tracked; // resolves although every edit fails
  });
});
