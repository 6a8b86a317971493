/**
 * Everyday requests as people type them: politeness, typos, loose word order, questions,
 * follow-ups with "it". None of these phrasings is in the engine's own unit tests.
 *
 * @module
 */
import type { EvalConversation } from "./types.js";
import { ALICE, BOB, GiB, WEB_AND_DEV, single } from "./build.js";

const setup = WEB_AND_DEV;

/** Creates in everyday words. */
export const EVERYDAY_CREATES: readonly EvalConversation[] = [
  single(
    "create-polite",
    "create",
    "hey, could you please make me a container called blog with git? thanks!",
    ["create:blog"],
    { expect: [{ owner: ALICE, name: "blog", modules: ["git"] }] },
  ),
  single("create-typo-verb", "create", "crete a box named notes with fish", ["create:notes"], {
    expect: [{ owner: ALICE, name: "notes", modules: ["fish"] }],
  }),
  single(
    "create-sizes-loose",
    "create",
    "i'd like a new container named api2 with 2 cores and 2gb ram",
    ["create:api2"],
    { expect: [{ owner: ALICE, name: "api2", cpus: 2, memoryBytes: 2 * GiB }] },
  ),
  single("create-sandbox-vscode", "create", "spin up a sandbox called play with vscode and git pls", ["create:play"], {
    expect: [{ owner: ALICE, name: "play", modules: ["code-server", "git"] }],
  }),
  single("create-can-u", "create", "can u create a container called ci with dev tools", ["create:ci"], {
    expect: [{ owner: ALICE, name: "ci", modules: ["devtools"] }],
  }),
  single("create-no-workspace", "create", "make a dev box named scratch without workspace", ["create:scratch"], {
    expect: [{ owner: ALICE, name: "scratch" }],
  }),
  single("create-colon", "create", "new container: docs, with git and fish", ["create:docs"], {
    expect: [{ owner: ALICE, name: "docs", modules: ["git", "fish"] }],
  }),
  single(
    "create-call-it-later",
    "create",
    "I need a container for my side project, call it side with git",
    ["create:side"],
    { expect: [{ owner: ALICE, name: "side", modules: ["git"] }] },
  ),
  single("create-gigs", "create", "create a container called web2 with 4 gigs of memory", ["create:web2"], {
    expect: [{ owner: ALICE, name: "web2", memoryBytes: 4 * GiB }],
  }),
  single(
    "create-environment",
    "create",
    "Please set up a new environment named data with persistent storage and fish shell",
    ["create:data"],
    { expect: [{ owner: ALICE, name: "data", modules: ["workspace", "fish"] }] },
  ),
  single("create-build-tools", "create", "give me a box called tools with build tools", ["create:tools"], {
    expect: [{ owner: ALICE, name: "tools", modules: ["devtools"] }],
  }),
  single("create-uppercase", "create", "Spin up a container named QuickTest", ["create:quicktest"], {
    expect: [{ owner: ALICE, name: "quicktest" }],
  }),
  single("create-over-budget", "create", "Create a container called ml with 8 cpus", ["create:ml!"], {
    text: /budget|limit|quota|cpu/i,
    expect: [{ owner: ALICE, name: "ml", absent: true }],
  }),
  single(
    "create-list-commas",
    "create",
    "make a container called blog, with git, fish and vs code please",
    ["create:blog"],
    { expect: [{ owner: ALICE, name: "blog", modules: ["git", "fish", "code-server"] }] },
  ),
  single("create-deploy", "create", "deploy a container called shop", ["create:shop"], {
    expect: [{ owner: ALICE, name: "shop" }],
  }),
  single("create-set-me-up", "create", "could you set me up a box called lab with tailscale", ["create:lab"], {
    expect: [{ owner: ALICE, name: "lab", modules: ["tailscale"] }],
  }),
  single("create-quoted-name", "create", "create 'quotes' with git", ["create:quotes"], {
    expect: [{ owner: ALICE, name: "quotes", modules: ["git"] }],
  }),
  single(
    "create-idle-hours",
    "create",
    "create a container called night with git and stop it after 2 hours idle",
    ["create:night"],
    {
      text: /stops after 2h without activity/,
      expect: [{ owner: ALICE, name: "night", modules: ["git"], idleTimeoutMs: 2 * 3_600_000 }],
    },
  ),
  single(
    "create-idle-when-idle",
    "create",
    "make me a box named owl, shut it down when it's idle for 30 minutes please",
    ["create:owl"],
    { expect: [{ owner: ALICE, name: "owl", idleTimeoutMs: 30 * 60_000 }] },
  ),
  single(
    "create-idle-timeout-of",
    "create",
    "spin up a sandbox called lab2 with an idle timeout of 1h",
    ["create:lab2"],
    { expect: [{ owner: ALICE, name: "lab2", idleTimeoutMs: 3_600_000 }] },
  ),
  single(
    "create-idle-never",
    "create",
    "new container named keeper with fish, and never stop it when idle",
    ["create:keeper"],
    {
      text: /never stopped for idleness/,
      expect: [{ owner: ALICE, name: "keeper", modules: ["fish"], idleTimeoutMs: 0 }],
    },
  ),
  single(
    "create-idle-no-activity",
    "create",
    "create api3 and turn it off after 45 min without activity",
    ["create:api3"],
    { expect: [{ owner: ALICE, name: "api3", idleTimeoutMs: 45 * 60_000 }] },
  ),
  single("create-no-arbitrary-name", "create", "make me something with git", [], {
    text: /What should I call it/,
    expect: [{ owner: ALICE, name: "something", absent: true }],
  }),
  {
    id: "create-name-answer-call-it",
    intent: "create",
    turns: [
      { say: "create a container with git", operations: [], text: /What should I call it/ },
      { say: "call it gitbox", operations: ["create:gitbox"] },
    ],
    expect: [{ owner: ALICE, name: "gitbox", modules: ["git"] }],
  },
  {
    id: "create-make-me-one-ok",
    intent: "create",
    turns: [
      { say: "make me one", operations: [], text: /For example: dev-1/ },
      { say: "ok", operations: ["create:dev-1"] },
    ],
  },
];

/** Start, stop and restart in everyday words. */
export const EVERYDAY_LIFECYCLE: readonly EvalConversation[] = [
  single("stop-pls", "stop", "pls stop dev", ["stop:dev"], {
    setup,
    expect: [{ owner: ALICE, name: "dev", live: "stopped" }],
  }),
  single("stop-two", "stop", "stop web and dev", ["stop:web", "stop:dev"], {
    setup,
    expect: [
      { owner: ALICE, name: "web", live: "stopped" },
      { owner: ALICE, name: "dev", live: "stopped" },
    ],
  }),
  single("restart-could-you", "restart", "could you restart web for me?", ["restart:web"], { setup }),
  single("restart-reboot-please", "restart", "reboot dev please", ["restart:dev"], { setup }),
  single("restart-typo", "restart", "restrat web", ["restart:web"], { setup }),
  single("stop-switch-off", "stop", "switch web off please", ["stop:web"], {
    setup,
    expect: [{ owner: ALICE, name: "web", live: "stopped" }],
  }),
  single("stop-pause", "stop", "pause dev", ["stop:dev"], { setup }),
  single("stop-kill", "stop", "kill web", ["stop:web"], {
    setup,
    confirmation: false,
    expect: [{ owner: ALICE, name: "web", live: "stopped" }],
  }),
  single("stop-everything-asks", "stop", "power off everything", [], { setup, text: /one container at a time/ }),
  single("stop-other-users", "stop", "stop dev", ["stop:dev!"], {
    setup: [{ owner: BOB, name: "dev" }],
    text: /no container called "dev"/,
    expect: [{ owner: BOB, name: "dev", live: "running" }],
  }),
  single("restart-slash", "restart", "/restart web", ["restart:web"], { setup }),
  single("restart-bare-single", "restart", "restart", ["restart:web"], { setup: [{ owner: ALICE, name: "web" }] }),
  single("stop-unknown-name", "stop", "stop ghost", ["stop:ghost!"], { setup, text: /no container called "ghost"/ }),
  {
    id: "start-back-up",
    intent: "start",
    setup,
    turns: [
      { say: "stop dev", operations: ["stop:dev"] },
      { say: "start dev back up", operations: ["start:dev"] },
    ],
    expect: [{ owner: ALICE, name: "dev", live: "running" }],
  },
  {
    id: "start-turn-on-again",
    intent: "start",
    setup,
    turns: [
      { say: "turn off dev", operations: ["stop:dev"] },
      { say: "turn dev on again", operations: ["start:dev"] },
    ],
  },
  {
    id: "stop-shut-it-down",
    intent: "stop",
    setup,
    turns: [
      { say: "how is web doing?", operations: ["show:web"] },
      { say: "shut it down", operations: ["stop:web"] },
    ],
    expect: [
      { owner: ALICE, name: "web", live: "stopped" },
      { owner: ALICE, name: "dev", live: "running" },
    ],
  },
  {
    id: "start-wake-up",
    intent: "start",
    setup,
    turns: [
      { say: "stop web", operations: ["stop:web"] },
      { say: "wake up web", operations: ["start:web"] },
    ],
    expect: [{ owner: ALICE, name: "web", live: "running" }],
  },
  {
    id: "start-bring-back-up",
    intent: "start",
    setup,
    turns: [
      { say: "halt web", operations: ["stop:web"] },
      { say: "bring web back up", operations: ["start:web"] },
    ],
    expect: [{ owner: ALICE, name: "web", live: "running" }],
  },
];

/** Questions about state, logs, the list and storage. */
export const EVERYDAY_QUESTIONS: readonly EvalConversation[] = [
  single("show-is-dev-running", "show", "is dev running?", ["show:dev"], { setup }),
  single("show-is-web-up", "show", "is web up?", ["show:web"], { setup }),
  single("show-why-broken-logs", "logs", "why is sandbox broken? show logs", ["show:sandbox", "logs:sandbox"], {
    setup: [
      { owner: ALICE, name: "sandbox" },
      { owner: ALICE, name: "web" },
    ],
    notText: /"why"/,
  }),
  single("show-status-of", "show", "what's the status of web", ["show:web"], { setup }),
  single("show-hows", "show", "hows dev doing", ["show:dev"], { setup }),
  single("show-ok", "show", "web ok?", ["show:web"], { setup }),
  single("show-whats-wrong", "show", "whats wrong with dev", ["show:dev"], { setup }),
  single("show-tell-me-about", "show", "tell me about web", ["show:web"], { setup }),
  single("show-why-wont-start", "show", "why won't web start?", ["show:web"], { setup }),
  single("list-whats-running", "list", "what's running?", ["list"], { setup }),
  single("list-which-stopped", "list", "which of my containers are stopped", ["list"], { setup }),
  single("list-what-containers", "list", "what containers do i have?", ["list"], {
    setup,
    text: /web[\s\S]*dev|dev[\s\S]*web/,
  }),
  single("list-everything-i-have", "list", "show me everything I have", ["list"], { setup }),
  single("logs-for", "logs", "show logs for dev", ["logs:dev"], { setup }),
  single("logs-pls-single", "logs", "logs pls", ["logs:web"], { setup: [{ owner: ALICE, name: "web" }] }),
  single("logs-last-lines", "logs", "last 5 lines of dev logs", ["logs:dev"], { setup }),
  single("logs-name-first", "logs", "web logs", ["logs:web"], { setup }),
  single("logs-journal", "logs", "can you show me the journal of dev", ["logs:dev"], { setup }),
  single("logs-what-happened", "logs", "what happened to web? logs please", ["logs:web"], { setup }),
  single("logs-no-name-asks", "logs", "show me the logs", [], { setup, text: /Which one/ }),
  single("storage-space-left", "storage", "how much space is left?", ["storage"]),
  single("storage-quota", "storage", "am I over my quota?", ["storage"]),
  single("whoami-logged-in-as", "whoami", "who am I logged in as?", ["whoami"], { text: /telegram:42/ }),
  single("help-what-can-i-ask", "help", "what can I ask you?", [], { text: /create a container/ }),
  single("help-thanks", "help", "thanks!", [], { confirmation: false }),
  single("help-hello", "help", "hello there", [], { text: /Hi!/ }),
  {
    id: "show-is-it-running-after-create",
    intent: "show",
    turns: [
      { say: "create a container called tiny", operations: ["create:tiny"] },
      { say: "is it running?", operations: ["show:tiny"] },
    ],
  },
];
