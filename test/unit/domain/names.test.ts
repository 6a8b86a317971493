/** Workload name rules: charset, anchoring, length, hyphens, reserved words. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  describeNameProblem,
  isWorkloadName,
  parseWorkloadName,
  RESERVED_WORKLOAD_NAMES,
} from "../../../src/domain/names.js";

void describe("workload names", () => {
  const valid = ["dev", "a", "a--b", "web1", "0abc", "abcdefghijk", "my-dev", "x-1-y"];
  const invalid: [string, RegExp][] = [
    ["", /must not be empty/],
    ["dev\n", /not valid/],
    ["\ndev", /not valid/],
    ["abcdefghijkl", /12 characters long; use at most 11/],
    ["dév", /not valid/],
    ["Dev", /not valid/],
    ["Bad_Name", /not valid/],
    ["-dev", /not valid/],
    ["dev-", /not valid/],
    ["-", /not valid/],
    ["de v", /not valid/],
    ["dev.x", /not valid/],
    ["host", /reserved/],
    ["root", /reserved/],
  ];

  for (const name of valid) {
    void it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(describeNameProblem(name), undefined);
      assert.equal(isWorkloadName(name), true);
      assert.equal(parseWorkloadName(name), name);
    });
  }

  for (const [name, message] of invalid) {
    void it(`refuses ${JSON.stringify(name)}`, () => {
      assert.match(describeNameProblem(name) ?? "", message);
      assert.equal(isWorkloadName(name), false);
      assert.throws(() => parseWorkloadName(name));
    });
  }

  void it("11 characters is the longest accepted name, 12 is refused", () => {
    assert.equal(isWorkloadName("a".repeat(11)), true);
    assert.equal(isWorkloadName("a".repeat(12)), false);
  });

  void it("refuses every reserved name", () => {
    for (const name of RESERVED_WORKLOAD_NAMES) assert.match(describeNameProblem(name) ?? "", /reserved/, name);
  });

  void it("escapes control characters so messages stay on one line", () => {
    assert.doesNotMatch(describeNameProblem("dev\n") ?? "", /\n/);
  });

  void it("refuses non-strings", () => {
    assert.equal(isWorkloadName(42), false);
    assert.equal(isWorkloadName(undefined), false);
  });
});
