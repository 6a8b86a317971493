/**
 * `/sshkey`: people register their own SSH public key from the chat, so they can log into
 * their workloads with `ssh` (docs/ssh.md). Answered straight from the core, never through
 * the chat pipeline: the key (or a private key pasted by mistake) never reaches the model or
 * the conversation memory. The owner is the Telegram sender, never anything in the text.
 *
 *   /sshkey ssh-ed25519 AAAA… laptop     register a key
 *   /sshkey                              list your keys and how to connect
 *   /sshkey remove SHA256:…              unregister one
 *
 * @module
 */
import type { Core } from "../../core/api.js";
import { VoxnixError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { sshCommand, type SshAccess } from "../../domain/ssh-access.js";
import { describeError } from "./on-error.js";
import { code, escapeHtml } from "./render.js";

/** The command's name (in the menu when the gateway is enabled). */
export const SSH_KEY_COMMAND = {
  command: "sshkey",
  description: "Register your SSH key: /sshkey ssh-ed25519 AAAA…",
} as const;

const USAGE = `Send ${code("/sshkey ssh-ed25519 AAAA… you@laptop")}: the contents of your ${code("~/.ssh/id_ed25519.pub")} (no key yet? run ${code("ssh-keygen -t ed25519")}).`;

/** Runs `/sshkey …` for `actor` and returns the HTML answer. */
export async function runSshKeyCommand(
  args: string,
  actor: Actor,
  core: Core,
  access: SshAccess | undefined,
): Promise<string> {
  const howTo = access ? `Connect with ${code(sshCommand(access, "NAME"))}, NAME being one of your containers.` : "";
  try {
    const [first, second] = args.split(/\s+/);
    if (args === "") {
      const keys = await core.listSshKeys(actor);
      if (keys.length === 0) return `You have no SSH key registered. ${USAGE}`;
      const lines = keys.map(
        (key) =>
          `• ${code(key.fingerprint)} ${escapeHtml(key.algorithm)}${key.comment ? ` (${escapeHtml(key.comment)})` : ""}`,
      );
      return [`Your SSH keys:`, ...lines, howTo, `Remove one with ${code("/sshkey remove SHA256:…")}.`]
        .filter(Boolean)
        .join("\n");
    }
    if (first === "remove" && second !== undefined) {
      const removed = await core.removeSshKey(actor, { fingerprint: second });
      return `Removed ${code(removed.fingerprint)}; it no longer logs you in.`;
    }
    const key = await core.addSshKey(actor, { publicKey: args });
    return [`Registered your ${escapeHtml(key.algorithm)} key ${code(key.fingerprint)}.`, howTo]
      .filter(Boolean)
      .join("\n");
  } catch (error) {
    if (VoxnixError.isInstance(error))
      return error.kind === "invalid-input"
        ? `${escapeHtml(describeError(error))}\n${USAGE}`
        : escapeHtml(describeError(error));
    throw error;
  }
}
