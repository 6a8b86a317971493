import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { waitOutConflicts, watchConnection } from "../../../src/adapters/telegram/connection.js";
import { FakeLogger } from "../../fakes/fake-logger.js";

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };

/** A `previous` for transformers that answers from a script and records each payload. */
function scripted(answers: (Answer | Error)[]) {
  const payloads: unknown[] = [];
  const previous = async (_method: string, payload: unknown) => {
    payloads.push(payload);
    const next = answers.shift() ?? { ok: true, result: [] };
    if (next instanceof Error) throw next;
    return next;
  };
  return { previous: previous as any, payloads };
}

const conflict: Answer = {
  ok: false,
  error_code: 409,
  description: "Conflict: terminated by other getUpdates request",
};

describe("waitOutConflicts", () => {
  it("retries getUpdates on 409 at the same offset, logging the start and the end once", async () => {
    const logger = new FakeLogger();
    const { previous, payloads } = scripted([conflict, conflict, { ok: true, result: [{ update_id: 7 }] }]);
    const transformer = waitOutConflicts(logger, { firstPauseMs: 1, maxPauseMs: 2 });
    const response = await transformer(previous, "getUpdates", { offset: 7, timeout: 30 } as any);
    assert.deepEqual(response, { ok: true, result: [{ update_id: 7 }] });
    assert.deepEqual(payloads, [
      { offset: 7, timeout: 30 },
      { offset: 7, timeout: 30 },
      { offset: 7, timeout: 30 },
    ]);
    assert.equal(
      logger.records.filter((record) => record.level === "warn" && /409 Conflict/.test(record.message)).length,
      1,
    );
    assert.equal(
      logger.records.filter((record) => record.level === "info" && /receiving updates again/.test(record.message))
        .length,
      1,
    );
  });

  it("leaves other methods and other errors alone", async () => {
    const { previous, payloads } = scripted([conflict]);
    const response = await waitOutConflicts(new FakeLogger(), { firstPauseMs: 1 })(previous, "sendMessage", {} as any);
    assert.equal(response.ok, false);
    assert.equal(payloads.length, 1);
  });
});

describe("watchConnection", () => {
  it("logs one line when the Bot API stops answering and one when it answers again", async () => {
    const logger = new FakeLogger();
    const watch = watchConnection(logger);
    const { previous } = scripted([
      new Error("connect ECONNREFUSED"),
      { ok: false, error_code: 502, description: "Bad Gateway" },
      new Error("socket hang up"),
      { ok: true, result: true },
      { ok: true, result: true },
    ]);
    for (let attempt = 0; attempt < 5; attempt++)
      await watch.transformer(previous, "getMe", {} as any).catch(() => undefined);
    assert.equal(watch.reachable, true);
    assert.deepEqual(
      logger.records.map((record) => `${record.level}: ${record.message}`),
      [
        "warn: lost the connection to the Telegram Bot API; retrying until it answers",
        "info: the Telegram Bot API answers again",
      ],
    );
  });
});
