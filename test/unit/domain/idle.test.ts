/**
 * The pure idle rules: durations, the effective timeout (choice, default, maximum), working
 * hours in a time zone (also across midnight) and the warn/stop decision.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  effectiveTimeout,
  formatDuration,
  idleStep,
  insideWorkingHours,
  outsideWorkingHours,
  parseDuration,
  parseWorkingHours,
} from "../../../src/domain/idle.js";

const MINUTE = 60_000;

void describe("idle rules", () => {
  void it("reads and writes durations", () => {
    assert.equal(parseDuration("2h"), 120 * MINUTE);
    assert.equal(parseDuration("1h30m"), 90 * MINUTE);
    assert.equal(parseDuration("45s"), 45_000);
    assert.equal(parseDuration("90"), 90 * MINUTE);
    assert.equal(parseDuration(15), 15 * MINUTE);
    for (const off of ["0", "off", "never", "none"]) assert.equal(parseDuration(off), 0);
    for (const bad of ["", "2 hours", "h", "-1h", "1y", "1h; rm -rf /"])
      assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(formatDuration(90 * MINUTE), "1h30m");
    assert.equal(formatDuration(0), "off");
  });

  void it("caps every choice by the per-user maximum, off included", () => {
    assert.deepEqual(effectiveTimeout(undefined, 120 * MINUTE, undefined), {
      timeoutMs: 120 * MINUTE,
      source: "default",
    });
    assert.deepEqual(effectiveTimeout(30 * MINUTE, 120 * MINUTE, undefined), {
      timeoutMs: 30 * MINUTE,
      source: "workload",
    });
    assert.deepEqual(effectiveTimeout("off", 120 * MINUTE, undefined), { timeoutMs: 0, source: "workload" });
    assert.deepEqual(effectiveTimeout("off", 0, 60 * MINUTE), { timeoutMs: 60 * MINUTE, source: "user maximum" });
    assert.deepEqual(effectiveTimeout(undefined, 0, 60 * MINUTE), { timeoutMs: 60 * MINUTE, source: "user maximum" });
    assert.deepEqual(effectiveTimeout(30 * MINUTE, 0, 60 * MINUTE), { timeoutMs: 30 * MINUTE, source: "workload" });
    // 0 stored for "none": no maximum.
    assert.deepEqual(effectiveTimeout("off", 120 * MINUTE, 0), { timeoutMs: 0, source: "workload" });
  });

  void it("knows working hours in a time zone, also across midnight", () => {
    const berlin = parseWorkingHours("08:00-20:00", "Europe/Berlin");
    // 07:30 UTC is 08:30 in Berlin in winter.
    assert.equal(insideWorkingHours(new Date("2026-01-05T07:30:00Z"), berlin), true);
    assert.equal(insideWorkingHours(new Date("2026-01-05T06:30:00Z"), berlin), false);
    assert.equal(
      outsideWorkingHours(new Date("2026-01-05T07:30:00Z"), berlin).toISOString(),
      "2026-01-05T19:00:00.000Z",
    );
    const night = parseWorkingHours("22:00-06:00", "UTC");
    assert.equal(insideWorkingHours(new Date("2026-01-05T23:00:00Z"), night), true);
    assert.equal(
      outsideWorkingHours(new Date("2026-01-05T23:00:00Z"), night).toISOString(),
      "2026-01-06T06:00:00.000Z",
    );
    assert.throws(() => parseWorkingHours("8-20", "UTC"), /08:00-20:00/);
    assert.throws(() => parseWorkingHours("08:00-20:00", "Mars/Olympus"), /Unknown time zone/);
  });

  void it("waits, warns once with a full warning period, then stops", () => {
    const settings = { defaultTimeoutMs: 0, warnBeforeMs: 10 * MINUTE };
    const last = new Date("2026-01-05T10:00:00Z");
    const at = (minutes: number) => new Date(last.getTime() + minutes * MINUTE);
    assert.equal(idleStep({ lastActivityAt: last }, 0, settings, at(10_000)).type, "wait");
    assert.equal(idleStep({ lastActivityAt: last }, 60 * MINUTE, settings, at(49)).type, "wait");
    assert.deepEqual(idleStep({ lastActivityAt: last }, 60 * MINUTE, settings, at(50)), {
      type: "warn",
      stopsAt: at(60),
    });
    assert.deepEqual(idleStep({ lastActivityAt: last }, 60 * MINUTE, settings, at(300)), {
      type: "warn",
      stopsAt: at(310),
    });
    assert.equal(idleStep({ lastActivityAt: last, warnedAt: at(50) }, 60 * MINUTE, settings, at(59)).type, "wait");
    assert.equal(idleStep({ lastActivityAt: last, warnedAt: at(50) }, 60 * MINUTE, settings, at(60)).type, "stop");
  });
});
