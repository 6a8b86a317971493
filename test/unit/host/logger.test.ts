import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../src/host/logger.js";

function capture(): { lines: string[]; stream: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

describe("createLogger", () => {
  it("writes JSON lines with the message and fields", () => {
    const { lines, stream } = capture();
    createLogger({ destination: stream, level: "info" }).info({ workload: "dev" }, "job-start");
    const line = JSON.parse(lines[0]!);
    assert.equal(line.msg, "job-start");
    assert.equal(line.workload, "dev");
  });

  it("redacts secret-looking keys at several levels", () => {
    const { lines, stream } = capture();
    createLogger({ destination: stream }).info(
      {
        token: "t-1",
        apiKey: "k-1",
        request: { authKey: "a-1", headers: { authorization: "Bearer b-1" } },
        config: { telegram: { secret: "s-1" } },
        keep: "visible",
      },
      "request",
    );
    const text = lines.join("");
    for (const secret of ["t-1", "k-1", "a-1", "b-1", "s-1"]) assert.doesNotMatch(text, new RegExp(secret));
    assert.match(text, /"token":"\*\*\*"/);
    assert.match(text, /"keep":"visible"/);
  });

  it("honours the level, and child bindings", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ destination: stream, level: "warn" });
    logger.info("hidden");
    logger.child({ component: "runner" }).warn("shown");
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]!).component, "runner");
    const silent = capture();
    createLogger({ destination: silent.stream, level: "silent" }).error("nothing");
    assert.equal(silent.lines.length, 0);
  });
});
