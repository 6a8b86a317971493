/**
 * Changing a workload in everyday words (issue 13): adding and removing modules, more CPUs or
 * memory, the workspace's size, follow-ups with "it", and negations that must change nothing.
 * A change that restarts a running container waits for the person's own yes (`change:<name>!`);
 * a workspace size changes in place at once, and a size below what it holds is refused.
 *
 * @module
 */
import type { EvalConversation } from "./types.js";
import { ALICE, GiB, single } from "./build.js";

const setup = [
  { owner: ALICE, name: "web", modules: ["git"] },
  { owner: ALICE, name: "dev", modules: ["fish"] },
] as const;

/** web with a 2G workspace, dev with a 4G one that holds 3G of files, api with a 2G one. */
const sized = [
  { owner: ALICE, name: "web", workspaceSize: "2G" },
  { owner: ALICE, name: "dev", workspaceSize: "4G", usedBytes: 3 * GiB },
  { owner: ALICE, name: "api", workspaceSize: "2G" },
] as const;

/** The workspace's size in everyday words: in place, no restart, no confirmation; too small or too big is refused. */
const WORKSPACE_SIZES: readonly EvalConversation[] = [
  single("change-grow-workspace", "change", "grow dev's workspace to 8G", ["change:dev"], {
    setup: sized,
    confirmation: false,
    text: /workspace size 4G → 8G/,
    expect: [{ owner: ALICE, name: "dev", workspaceBytes: 8 * GiB, live: "running" }],
  }),
  single("change-grow-over-quota", "change", "grow dev's workspace to 20G", ["change:dev!"], {
    setup: sized,
    confirmation: false,
    text: /quota/i,
    expect: [{ owner: ALICE, name: "dev", workspaceBytes: 4 * GiB }],
  }),
  single("change-more-disk", "change", "give web more disk", ["change:web"], {
    setup: sized,
    confirmation: false,
    text: /doubled the workspace size from 2G to 4G/,
    expect: [{ owner: ALICE, name: "web", workspaceBytes: 4 * GiB, live: "running" }],
  }),
  single("change-make-workspace-gigs", "change", "make my workspace on api 3 gigs", ["change:api"], {
    setup: sized,
    confirmation: false,
    expect: [{ owner: ALICE, name: "api", workspaceBytes: 3 * GiB }],
  }),
  single("change-make-workspace-30-gigs", "change", "make my workspace on api 30 gigs", ["change:api!"], {
    setup: sized,
    confirmation: false,
    text: /quota/i,
    expect: [{ owner: ALICE, name: "api", workspaceBytes: 2 * GiB }],
  }),
  single("change-disk-polite", "change", "could you give web a 5gb disk please?", ["change:web"], {
    setup: sized,
    confirmation: false,
    expect: [{ owner: ALICE, name: "web", workspaceBytes: 5 * GiB }],
  }),
  single("change-shrink-below-used", "change", "shrink dev's disk to 2G", ["change:dev!"], {
    setup: sized,
    confirmation: false,
    text: /already holds 3G, more than 2G/,
    expect: [{ owner: ALICE, name: "dev", workspaceBytes: 4 * GiB }],
  }),
  single("change-less-space", "change", "web needs less space", ["change:web"], {
    setup: sized,
    confirmation: false,
    text: /halved the workspace size from 2G to 1G/,
    expect: [{ owner: ALICE, name: "web", workspaceBytes: GiB }],
  }),
  single("change-memory-and-disk", "change", "give web 2G of ram and a 6G disk", ["change:web!"], {
    setup: sized,
    confirmation: true,
    text: /memory 1G → 2G[\s\S]*workspace size 2G → 6G|workspace size 2G → 6G[\s\S]*memory 1G → 2G/,
  }),
  single("change-disk-negated", "change", "don't grow web's disk", [], {
    setup: sized,
    confirmation: false,
    text: /won't change web/,
    expect: [{ owner: ALICE, name: "web", workspaceBytes: 2 * GiB }],
  }),
  single("change-disk-question", "change", "does web need more disk?", [], {
    setup: sized,
    confirmation: false,
    expect: [{ owner: ALICE, name: "web", workspaceBytes: 2 * GiB }],
  }),
  single("change-disk-how-much", "change", "how much disk does dev use", [], {
    setup: sized,
    confirmation: false,
    expect: [{ owner: ALICE, name: "dev", workspaceBytes: 4 * GiB }],
  }),
  {
    id: "change-disk-follow-up-it",
    intent: "change",
    setup: sized,
    turns: [
      { say: "show web", operations: ["show:web"] },
      { say: "make its workspace bigger", operations: ["change:web"], text: /2G to 4G/ },
    ],
    expect: [{ owner: ALICE, name: "web", workspaceBytes: 4 * GiB }],
  },
];

/** Changes, plainly asked, and the ones that must not happen. */
export const CHANGES: readonly EvalConversation[] = [
  single("change-add-module", "change", "add code-server to dev", ["change:dev!"], {
    setup,
    confirmation: true,
    text: /code-server/,
  }),
  single("change-give-cpus", "change", "give web 2 CPUs", ["change:web!"], {
    setup,
    confirmation: true,
    text: /cpus 1 → 2/,
  }),
  single("change-more-memory", "change", "more memory for web please", ["change:web!"], {
    setup,
    confirmation: true,
    text: /doubled the memory/,
  }),
  single("change-remove-module", "change", "remove fish from dev", ["change:dev!"], {
    setup,
    confirmation: true,
    text: /fish/,
  }),
  single("change-uninstall", "change", "uninstall git from web", ["change:web!"], { setup, confirmation: true }),
  single("change-cores-polite", "change", "could you please give dev 3 cores?", ["change:dev!"], {
    setup,
    confirmation: true,
    text: /cpus 1 → 3/,
  }),
  single("change-ram-size", "change", "bump web to 2gb ram", ["change:web!"], {
    setup,
    confirmation: true,
    text: /memory 1G → 2G/,
  }),
  single("change-vscode", "change", "can you add vs code to dev", ["change:dev!"], {
    setup,
    confirmation: true,
    text: /code-server/,
  }),
  single("change-needs-more-cpu", "change", "web needs more cpu", ["change:web!"], {
    setup,
    confirmation: true,
    text: /doubled the CPUs/,
  }),
  single("change-two-in-one", "change", "add devtools to web and give it 2 CPUs", ["change:web!"], {
    setup,
    confirmation: true,
    text: /devtools.*cpus|cpus.*devtools/s,
  }),
  single("change-negated-add", "change", "don't add fish to dev", [], {
    setup,
    confirmation: false,
    text: /won't change dev/,
  }),
  single("change-negated-remove", "change", "don't remove fish from dev", [], { setup, confirmation: false }),
  single("change-how-to", "change", "how do i add fish to dev?", [], { setup, confirmation: false }),
  single("change-unknown-module", "change", "add nginx to dev", [], { setup, confirmation: false }),
  single("change-over-limit", "change", "give dev 64 cpus", ["change:dev!"], {
    setup,
    confirmation: false,
    text: /at most|budget|cpu/i,
  }),
  single("change-already-has", "change", "add git to web", ["change:web"], {
    setup,
    confirmation: false,
    text: /already has that/,
  }),
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
  ...WORKSPACE_SIZES,
];
