import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CommanderError } from "commander";
import { ConfigError } from "../../../src/app/config.js";
import {
  ConflictError,
  ForbiddenError,
  HostFailureError,
  InvalidInputError,
  NotFoundError,
  QuotaError,
  TimeoutError,
} from "../../../src/domain/errors.js";
import { errorKindOf, EXIT_CODE_BY_KIND, exitCodeFor } from "../../../src/adapters/cli/exit-codes.js";
import { renderError, renderTable } from "../../../src/adapters/cli/render.js";

describe("exitCodeFor", () => {
  const cases: [unknown, number][] = [
    [new InvalidInputError([{ path: "name", message: "bad" }]), 2],
    [new NotFoundError("workload", "dev"), 3],
    [new ConflictError("name-taken", "taken"), 1],
    [new QuotaError("workloads", "too many"), 1],
    [new ForbiddenError("pending", "wait"), 1],
    [new HostFailureError("broke"), 1],
    [new TimeoutError("slow", 1000), 1],
    [new ConfigError([{ source: "config.yaml", path: "backend", message: "bad" }]), 2],
    [new CommanderError(1, "commander.unknownOption", "error: unknown option"), 2],
    [new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), 0],
    [new CommanderError(0, "commander.version", "0.1.0"), 0],
    [new Error("bug"), 1],
  ];
  for (const [error, code] of cases) {
    it(`${errorKindOf(error)} (${(error as Error).constructor.name}) exits ${code}`, () => {
      assert.equal(exitCodeFor(error), code);
    });
  }

  it("covers every core error kind with a code from 1 to 3 (4 is the needs-confirmation outcome, not an error)", () => {
    for (const code of Object.values(EXIT_CODE_BY_KIND)) assert.ok(code >= 1 && code <= 3);
    assert.equal(Object.keys(EXIT_CODE_BY_KIND).length, 7);
  });
});

describe("renderError", () => {
  it("is one line saying what was wrong and what to do", () => {
    const lines = renderError(new NotFoundError("workload", "dev", 'You have no workload called "dev".'));
    assert.deepEqual(lines, ['error: You have no workload called "dev". Run `voxnix ctl list` to see your workloads.']);
  });

  it("lists each issue of a multi-issue input error and the tail of a host failure's detail", () => {
    const input = renderError(
      new InvalidInputError([
        { path: "name", message: "Bad name." },
        { path: "modules.0", message: "Unknown module." },
      ]),
    );
    assert.equal(input.length, 3);
    assert.equal(input[1], "  - name: Bad name.");
    const host = renderError(new HostFailureError("machinectl failed", "line1\nline2"));
    assert.equal(host[0], "error: machinectl failed. Run `voxnix doctor` to check the host.");
    assert.deepEqual(host.slice(1), ["  | line1", "  | line2"]);
  });

  it("keeps a message on one line even when it contains newlines", () => {
    assert.equal(renderError(new Error("a\nb")).length, 1);
  });
});

describe("renderTable", () => {
  it("aligns columns under upper-case headers", () => {
    assert.deepEqual(
      renderTable(
        ["name", "state"],
        [
          ["dev", "running"],
          ["a-long-name", "stopped"],
        ],
      ),
      ["NAME         STATE", "dev          running", "a-long-name  stopped"],
    );
    assert.deepEqual(renderTable(["name"], [], "nothing"), ["nothing"]);
  });
});
