/**
 * Changing a workload in everyday words (issue 13): adding and removing modules, more CPUs or
 * memory, follow-ups with "it", and negations that must change nothing. Every change of a
 * running container restarts it, so it waits for the person's own yes (`change:<name>!`).
 *
 * @module
 */
import type { EvalConversation } from "./types.js";
import { ALICE, single } from "./build.js";

const setup = [
  { owner: ALICE, name: "web", modules: ["git"] },
  { owner: ALICE, name: "dev", modules: ["fish"] },
] as const;

/** Changes, plainly asked, and the ones that must not happen. */
export const CHANGES: readonly EvalConversation[] = [
  single("change-add-module", "change", "add code-server to dev", ["change:dev!"], { setup, confirmation: true, text: /code-server/ }),
  single("change-give-cpus", "change", "give web 2 CPUs", ["change:web!"], { setup, confirmation: true, text: /cpus 1 → 2/ }),
  single("change-more-memory", "change", "more memory for web please", ["change:web!"], { setup, confirmation: true, text: /doubled the memory/ }),
  single("change-remove-module", "change", "remove fish from dev", ["change:dev!"], { setup, confirmation: true, text: /fish/ }),
  single("change-uninstall", "change", "uninstall git from web", ["change:web!"], { setup, confirmation: true }),
  single("change-cores-polite", "change", "could you please give dev 3 cores?", ["change:dev!"], { setup, confirmation: true, text: /cpus 1 → 3/ }),
  single("change-ram-size", "change", "bump web to 2gb ram", ["change:web!"], { setup, confirmation: true, text: /memory 1G → 2G/ }),
  single("change-vscode", "change", "can you add vs code to dev", ["change:dev!"], { setup, confirmation: true, text: /code-server/ }),
  single("change-needs-more-cpu", "change", "web needs more cpu", ["change:web!"], { setup, confirmation: true, text: /doubled the CPUs/ }),
  single("change-two-in-one", "change", "add devtools to web and give it 2 CPUs", ["change:web!"], { setup, confirmation: true, text: /devtools.*cpus|cpus.*devtools/s }),
  single("change-negated-add", "change", "don't add fish to dev", [], { setup, confirmation: false, text: /won't change dev/ }),
  single("change-negated-remove", "change", "don't remove fish from dev", [], { setup, confirmation: false }),
  single("change-how-to", "change", "how do i add fish to dev?", [], { setup, confirmation: false }),
  single("change-unknown-module", "change", "add nginx to dev", [], { setup, confirmation: false }),
  single("change-over-limit", "change", "give dev 64 cpus", ["change:dev!"], { setup, confirmation: false, text: /at most|budget|cpu/i }),
  single("change-already-has", "change", "add git to web", ["change:web"], { setup, confirmation: false, text: /already has that/ }),
  {
    id: "change-follow-up-it",
    intent: "change",
    setup,
    turns: [
      { say: "show dev", operations: ["show:dev"] },
      { say: "install git on it", operations: ["change:dev!"], confirmation: true },
      { say: "yes", operations: ["confirm"] },
    ],
    expect: [{ owner: ALICE, name: "dev", modules: ["fish", "workspace", "git"] }],
  },
  {
    id: "change-cancelled",
    intent: "change",
    setup,
    turns: [
      { say: "remove fish from dev", operations: ["change:dev!"], confirmation: true },
      { say: "no", operations: [] },
    ],
    expect: [{ owner: ALICE, name: "dev", modules: ["fish", "workspace"] }],
  },
];
