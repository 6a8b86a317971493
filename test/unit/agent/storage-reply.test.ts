import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeStorage } from "../../../src/agent/replies.js";

describe("describeStorage", () => {
  it("lists each restorable snapshot with its dates, so two of one name are told apart", () => {
    const snapshot = (id: string, created: string, expires: string) => ({
      id,
      workload: "qa2",
      owner: "telegram:42" as const,
      createdAt: new Date(created),
      expiresAt: new Date(expires),
    });
    const text = describeStorage({
      user: "telegram:42",
      driver: "zfs",
      quotasEnforced: true,
      usage: { usedBytes: 0, quotaBytes: null, availableBytes: null },
      workspaces: [],
      rootDisks: [],
      snapshots: [
        snapshot("a", "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"),
        snapshot("b", "2026-12-01T11:30:00Z", "2026-12-02T11:30:00Z"),
      ],
    });
    assert.doesNotMatch(text, /qa2, qa2/);
    assert.match(text, /• qa2: snapshot of 2026-12-01 10:00 UTC, kept until 2026-12-02 10:00 UTC/);
    assert.match(text, /• qa2: snapshot of 2026-12-01 11:30 UTC, kept until 2026-12-02 11:30 UTC/);
  });
});
