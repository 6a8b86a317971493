import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { explainError } from "../../../src/api/error-wording.js";
import {
  ConflictError,
  ForbiddenError,
  HostFailureError,
  InvalidInputError,
  NotFoundError,
  QuotaError,
  TimeoutError,
  type AnyVoxnixError,
  type VoxnixErrorKind,
} from "../../../src/domain/errors.js";

const examples: Record<VoxnixErrorKind, AnyVoxnixError> = {
  "invalid-input": new InvalidInputError([{ path: "name", message: 'The name "Web!" is not valid.' }]),
  "not-found": new NotFoundError("workload", "web"),
  conflict: new ConflictError("name-taken", 'The name "web" is taken.'),
  quota: new QuotaError("workloads", "You already have 5 containers, your limit."),
  forbidden: new ForbiddenError("pending", "pending"),
  "host-failure": new HostFailureError(
    "Starting the container failed.",
    "stderr: Failed to start unit systemd-nspawn@web.service: secret-ish detail\n    at run (/src/x.ts:1:1)",
  ),
  timeout: new TimeoutError("Booting web did not finish in 60 seconds.", 60_000),
};

describe("explainError", () => {
  for (const [kind, error] of Object.entries(examples)) {
    it(`words ${kind} plainly, without stack traces or stderr`, () => {
      const text = explainError(error);
      assert.ok(text.length > 10);
      assert.doesNotMatch(text, /\bat .*:\d+:\d+/);
      assert.doesNotMatch(text, /stderr|systemd-nspawn@|secret-ish/);
      assert.doesNotMatch(text, /Error\b/);
    });
  }

  it("says what to do for the common cases", () => {
    assert.match(explainError(examples["not-found"]), /no container called "web"/);
    assert.match(explainError(examples.conflict), /Pick another name/);
    assert.match(explainError(examples.quota), /ask an admin/);
    assert.match(explainError(examples.forbidden), /waiting for an admin's approval/);
    assert.match(explainError(new ForbiddenError("admin-only", "x")), /Only an admin/);
    assert.match(explainError(examples["invalid-input"]), /is not valid/);
    assert.match(explainError(examples["host-failure"]), /starting the container failed/i);
    assert.match(explainError(examples.timeout), /took too long/);
    assert.match(explainError(new NotFoundError("confirmation", "tok")), /expired|isn't yours/);
    assert.match(explainError(new ConflictError("plan-changed", "changed")), /nothing was destroyed/);
  });

  it("hides unexpected errors behind a generic sentence", () => {
    const text = explainError(new TypeError("Cannot read properties of undefined (reading 'x') at foo.ts:3:4"));
    assert.match(text, /Something went wrong/);
    assert.doesNotMatch(text, /undefined|foo\.ts/);
  });
});
