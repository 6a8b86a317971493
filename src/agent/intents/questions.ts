/**
 * Questions answered from what the appliance has: about virtual machines (answered by
 * `vm.ts`; a plain VM request is a create) and logging in to a container (the SSH gateway's
 * command when it is enabled; what exists today otherwise).
 *
 * @module
 */
import type { Intent } from "./types.js";
import type { Clause } from "./clauses.js";
import { hasAny, phraseIndex } from "./normalise.js";
import { isQuestion } from "./polarity.js";
import { findTarget } from "./target.js";
import { isCreate } from "./create.js";
import { asksForForeignSystem, VM_WORDS } from "./vm.js";

const VM_ASKS = [
  "create",
  "make",
  "spin",
  "give",
  "build",
  "provision",
  "deploy",
  "set up",
  "setup",
  "launch",
  "start a",
  "new",
  "need",
  "want",
  "get",
  "support",
  "run",
  "can",
  "do you",
  "is there",
];

/**
 * A question about VMs ("do you support vms?", "can I get a virtual machine?") or a VM of a
 * system the runtime does not offer ("spin up a windows vm"). A plain request for a VM is a
 * create (`create.ts` reads its kind), so it is left to the create reading.
 */
export function parseVm(clause: Clause): Intent | undefined {
  if (!hasAny(clause.text, [...VM_WORDS, "virtualbox"])) return undefined;
  const foreign = asksForForeignSystem(clause.text);
  if (foreign) return { type: "vm", foreign };
  if (isCreate(clause) && !isQuestion(clause)) return undefined;
  return hasAny(clause.text, VM_ASKS) || isQuestion(clause) ? { type: "vm" } : undefined;
}

const ACCESS_PHRASES = [
  "log into",
  "log in to",
  "log in",
  "login to",
  "login into",
  "ssh",
  "ssh into",
  "connect to",
  "shell into",
  "shell in",
  "get into",
  "get a shell",
  "open a shell",
  "a terminal",
  "open a terminal",
  "remote into",
  "reach",
  "access to",
  "access my",
  "access it",
  "access the",
  "sign in",
  "get inside",
  "work inside",
  "use it from",
  "from my laptop",
];

/** "How do I log into dev?", "ssh into it", "can I connect to web from my laptop?". */
export function parseAccess(clause: Clause, knownNames: readonly string[]): Intent | undefined {
  const phrase = ACCESS_PHRASES.map((candidate) => ({ candidate, index: phraseIndex(clause.tokens, candidate) })).find(
    (found) => found.index >= 0,
  );
  const accessWord =
    phrase ??
    (clause.tokens.includes("access") && (isQuestion(clause) || knownNames.some((name) => clause.tokens.includes(name)))
      ? { candidate: "access", index: clause.tokens.indexOf("access") }
      : undefined);
  if (accessWord === undefined) return undefined;
  // "with remote access" in a create names the tailscale module, not a login question.
  if (hasAny(clause.text, ["with remote access", "with access"])) return undefined;
  const end = accessWord.index + accessWord.candidate.split(" ").length;
  return { type: "access", target: findTarget(clause.tokens, end, accessWord.index, knownNames) };
}
