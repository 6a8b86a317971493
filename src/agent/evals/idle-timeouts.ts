/**
 * The idle timeout of an existing workload in everyday words (issue 13): "never stop web when
 * idle", "keep web running forever" turn it off; "stop web after 2 hours idle" sets it. The
 * inversions that must not happen are here too: a plain "don't stop web" changes nothing, and
 * none of these ever stops a workload now.
 *
 * @module
 */
import type { EvalConversation } from "./types.js";
import { ALICE, WEB_AND_DEV, single } from "./build.js";

const setup = WEB_AND_DEV;
const OFF = /never stopped for being idle/;

/** Setting and turning off an existing workload's idle timeout, and what must stay a decline. */
export const IDLE_TIMEOUTS: readonly EvalConversation[] = [
  single("idle-never-when-idle", "idle", "never stop web when idle", ["setIdleTimeout:web"], {
    setup,
    text: OFF,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 0, live: "running" }],
  }),
  single("idle-dont-when-idle", "idle", "don't stop dev when idle", ["setIdleTimeout:dev"], {
    setup,
    text: OFF,
    expect: [{ owner: ALICE, name: "dev", idleTimeoutMs: 0, live: "running" }],
  }),
  single("idle-keep-forever", "idle", "keep web running forever", ["setIdleTimeout:web"], {
    setup,
    text: OFF,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 0 }],
  }),
  single("idle-polite-its-idle", "idle", "please don't shut down dev when it's idle, thanks", ["setIdleTimeout:dev"], {
    setup,
    expect: [{ owner: ALICE, name: "dev", idleTimeoutMs: 0, live: "running" }],
  }),
  single("idle-always-up", "idle", "always keep web up 24/7", ["setIdleTimeout:web"], {
    setup,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 0 }],
  }),
  single("idle-nobody-uses", "idle", "Do not stop web if nobody uses it.", ["setIdleTimeout:web"], {
    setup,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 0, live: "running" }],
  }),
  single("idle-never-auto-stop", "idle", "never auto-stop dev", ["setIdleTimeout:dev"], {
    setup,
    expect: [{ owner: ALICE, name: "dev", idleTimeoutMs: 0 }],
  }),
  single("idle-turn-off-timeout", "idle", "turn off the idle timeout for web", ["setIdleTimeout:web"], {
    setup,
    text: OFF,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 0 }],
  }),
  single("idle-set-hours", "idle", "stop web after 2 hours idle", ["setIdleTimeout:web"], {
    setup,
    text: /stops after 2h/,
    expect: [{ owner: ALICE, name: "web", idleTimeoutMs: 2 * 3_600_000, live: "running" }],
  }),
  single("idle-set-possessive", "idle", "set dev's idle timeout to 30 minutes", ["setIdleTimeout:dev"], {
    setup,
    expect: [{ owner: ALICE, name: "dev", idleTimeoutMs: 30 * 60_000 }],
  }),
  single("idle-unknown-name", "idle", "never stop ghost when idle", ["setIdleTimeout:ghost!"], {
    setup,
    text: /ghost/,
  }),
  // Never inverted: a plain negation is a decline, and nothing stops.
  single("idle-plain-dont-stop", "idle", "don't stop web", [], {
    setup,
    notText: /never stopped/,
    expect: [{ owner: ALICE, name: "web", live: "running" }],
  }),
  single("idle-plain-never-stop", "idle", "never stop web", [], {
    setup,
    expect: [{ owner: ALICE, name: "web", live: "running" }],
  }),
  single("idle-decline-and-stop", "idle", "don't stop web when idle, stop dev", ["stop:dev"], {
    setup,
    expect: [
      { owner: ALICE, name: "web", live: "running" },
      { owner: ALICE, name: "dev", live: "stopped" },
    ],
  }),
  single("idle-when-idle-is-later", "idle", "stop web when it's idle", [], {
    setup,
    text: /only act right away|can't stop web later/i,
    expect: [{ owner: ALICE, name: "web", live: "running" }],
  }),
  {
    id: "idle-follow-up-it",
    intent: "idle",
    setup,
    turns: [
      { say: "show dev", operations: ["show:dev"] },
      { say: "never stop it when idle", operations: ["setIdleTimeout:dev"], text: OFF },
    ],
    expect: [{ owner: ALICE, name: "dev", idleTimeoutMs: 0, live: "running" }],
  },
];
