/**
 * Slash commands (/new, /list, /status, /logs, /stop, /destroy, /storage, /reset, /help,
 * /whoami, and Telegram's /start) mapped onto the same intents as free text.
 *
 * @module
 */
import type { Intent } from "./types.js";
import { normalise } from "./normalise.js";
import { isCreate, parseCreate } from "./create.js";
import { findTarget } from "./target.js";

/** The slash commands the engine understands, with one-line descriptions (for help and Telegram's menu). */
export const SLASH_COMMANDS: readonly { readonly command: string; readonly description: string }[] = [
  { command: "new", description: "create a container: /new web git fish" },
  { command: "list", description: "list your containers" },
  { command: "status", description: "details of one container: /status web" },
  { command: "logs", description: "recent logs: /logs web" },
  { command: "start", description: "start a container: /start web" },
  { command: "stop", description: "stop a container: /stop web" },
  { command: "restart", description: "restart a container: /restart web" },
  { command: "destroy", description: "destroy a container (asks first): /destroy web" },
  { command: "restore", description: "bring back a destroyed container: /restore web" },
  { command: "keep", description: "keep a container from being stopped for idleness: /keep web" },
  { command: "storage", description: "your disk usage and quota" },
  { command: "reset", description: "forget this conversation" },
  { command: "whoami", description: "your account and limits" },
  { command: "help", description: "what I can do" },
];

/** Parses `/command args`; returns undefined when `raw` is not a slash command. */
export function parseSlash(
  raw: string,
  knownNames: readonly string[],
  catalogNames: readonly string[],
): Intent | undefined {
  const match = /^\/([a-z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(raw.trim());
  if (!match) return undefined;
  const command = match[1]!.toLowerCase();
  const rest = normalise(match[2] ?? "");
  const target = () => findTarget(rest.tokens, 0, 0, knownNames);
  switch (command) {
    case "new":
    case "create": {
      const text = normalise(`create ${rest.raw}`);
      return isCreate(text) ? parseCreate(text, catalogNames) : { type: "create", modules: [] };
    }
    case "list":
    case "ls":
      return { type: "list" };
    case "status":
    case "show":
      return rest.tokens.length === 0 ? { type: "list" } : { type: "show", target: target() };
    case "logs": {
      const lines = rest.tokens.find((token) => /^\d{1,4}$/.test(token));
      return { type: "logs", target: target(), ...(lines ? { lines: Number(lines) } : {}) };
    }
    case "start":
      // Telegram sends /start when a chat opens: greet rather than start something.
      return rest.tokens.length === 0 ? { type: "help", greeting: true } : { type: "start", target: target() };
    case "stop":
    case "restart":
    case "destroy":
    case "restore":
      return { type: command, target: target() };
    case "delete":
    case "remove":
      return { type: "destroy", target: target() };
    case "storage":
    case "quota":
      return { type: "storage" };
    case "reset":
      return { type: "reset" };
    case "whoami":
      return { type: "whoami" };
    case "yes":
    case "confirm":
      return { type: "confirm" };
    case "no":
    case "cancel":
      return { type: "cancel" };
    default:
      return { type: "help" };
  }
}
