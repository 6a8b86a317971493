/** The reverter undoes in reverse order and reports what it could not undo; audit redaction. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Reverter } from "../../../src/domain/reverter.js";
import { redact } from "../../../src/core/audit.js";

void describe("Reverter", () => {
  void it("runs undo steps newest first and collects failures with their reasons", async () => {
    const order: string[] = [];
    const reverter = new Reverter();
    reverter.add("the row", () => order.push("row"));
    reverter.add("the workspace", () => {
      throw new Error("device busy");
    });
    reverter.add("the container", async () => {
      order.push("container");
    });
    assert.deepEqual(await reverter.revert(), ["the workspace (device busy)"]);
    assert.deepEqual(order, ["container", "row"]);
    assert.deepEqual(await reverter.revert(), [], "steps run once");
  });

  void it("success forgets the steps", async () => {
    const reverter = new Reverter();
    reverter.add("x", () => assert.fail("must not run"));
    reverter.success();
    assert.deepEqual(await reverter.revert(), []);
  });
});

void describe("redact", () => {
  void it("hides secret-looking fields at any depth and keeps the rest", () => {
    assert.deepEqual(
      JSON.parse(
        JSON.stringify(redact({ name: "dev", token: "abc", nested: [{ apiKey: "k", port: 1 }], authKeyFile: "/x" })),
      ),
      {
        name: "dev",
        token: "***",
        nested: [{ apiKey: "***", port: 1 }],
        authKeyFile: "***",
      },
    );
    assert.equal(redact("plain"), "plain");
  });
});
