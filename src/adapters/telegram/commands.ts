/**
 * The slash commands: the menu registered with `setMyCommands` (everyone's, plus an admin
 * menu per admin chat via `BotCommandScopeChat`), parsing of `/cmd@bot args`, and the admin
 * commands the bot answers straight from the core (/users, /approve, /deny, /limits).
 * Everything else goes through the chat pipeline, whose offline engine parses commands.
 *
 * @module
 */
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { Core, UserLimitsInput } from "../../core/api.js";
import { VoxnixError } from "../../domain/errors.js";
import { isUserId, type Actor, type UserId } from "../../domain/identity.js";
import type { Logger } from "../../ports/logger.js";
import type { Admission } from "./admission.js";
import { userLineHtml } from "./format.js";
import { describeError, errorFields } from "./on-error.js";
import { bold, code, escapeHtml } from "./render.js";
import { SSH_KEY_COMMAND } from "./ssh-keys.js";

/** Commands everyone sees. */
export const USER_COMMANDS: readonly BotCommand[] = [
  { command: "start", description: "Say hello and see examples" },
  { command: "help", description: "What I understand" },
  { command: "new", description: "Create a container: /new web git fish" },
  { command: "list", description: "Your containers" },
  { command: "status", description: "Details of a container: /status web" },
  { command: "logs", description: "Recent logs: /logs web" },
  { command: "stop", description: "Stop a container: /stop web" },
  { command: "destroy", description: "Destroy a container (asks first)" },
  { command: "storage", description: "Your disk usage and snapshots" },
  { command: "web", description: "A login link to your web dashboard" },
  { command: "reset", description: "Forget our conversation" },
  { command: "whoami", description: "Your account and limits" },
  SSH_KEY_COMMAND,
];

/** Commands only admins see (added to their chat's menu). */
export const ADMIN_COMMANDS: readonly BotCommand[] = [
  { command: "users", description: "Everyone and their status" },
  { command: "approve", description: "Approve someone: /approve 12345" },
  { command: "deny", description: "Deny someone: /deny 12345" },
  { command: "limits", description: "Set limits: /limits 12345 workloads=3 disk=20G" },
];

/** Names of the admin commands, answered by `runAdminCommand`. */
export const ADMIN_COMMAND_NAMES: ReadonlySet<string> = new Set(ADMIN_COMMANDS.map((command) => command.command));

/** A parsed slash command. */
export interface ParsedCommand {
  readonly name: string;
  readonly args: string;
}

/**
 * Parses `/name@bot args`. Returns `undefined` for ordinary text and for commands addressed
 * to a different bot.
 */
export function parseCommand(text: string, botUsername: string): ParsedCommand | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  if (match[2] && match[2].toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: match[1]!.toLowerCase(), args: (match[3] ?? "").trim() };
}

/** Registers both menus. An admin who never opened the bot cannot get a chat menu; that is logged, not fatal. */
export async function registerCommands(api: Api, adminChatIds: readonly number[], logger: Logger): Promise<void> {
  await api.setMyCommands([...USER_COMMANDS]);
  for (const chatId of adminChatIds) {
    try {
      await api.setMyCommands([...USER_COMMANDS, ...ADMIN_COMMANDS], { scope: { type: "chat", chat_id: chatId } });
    } catch (error) {
      logger.warn({ ...errorFields(error), admin: chatId }, "could not set an admin's command menu");
    }
  }
}

/** Turns `12345` or `telegram:12345` into a user id. */
export function targetUserId(argument: string): UserId | undefined {
  const value = argument.trim();
  if (/^\d{1,20}$/.test(value)) return `telegram:${value}`;
  return isUserId(value) ? value : undefined;
}

const LIMIT_KEYS: Readonly<Record<string, keyof UserLimitsInput>> = {
  disk: "diskQuota",
  workloads: "maxWorkloads",
  cpu: "cpuBudget",
  cpus: "cpuBudget",
  memory: "memoryBudget",
  pids: "pidsBudget",
  processes: "pidsBudget",
  kind: "defaultKind",
  vmonly: "vmOnly",
  "vm-only": "vmOnly",
};

/** `vmonly=` values, as people type them. */
const YES_NO: Readonly<Record<string, boolean>> = {
  yes: true,
  true: true,
  on: true,
  no: false,
  false: false,
  off: false,
};

/** Runs an admin command as `actor` and returns the HTML answer. The core refuses non-admins. */
export async function runAdminCommand(
  command: ParsedCommand,
  actor: Actor,
  core: Core,
  admission: Admission,
): Promise<string> {
  try {
    switch (command.name) {
      case "users": {
        const users = await core.listUsers(actor);
        return users.length === 0 ? "No users yet." : [bold("Users"), ...users.map(userLineHtml)].join("\n");
      }
      case "approve":
      case "deny": {
        const target = targetUserId(command.args);
        if (!target)
          return `Say whom: ${code(`/${command.name} 12345`)} or ${code(`/${command.name} telegram:12345`)}.`;
        const outcome = await admission.decide(actor, target, command.name === "approve");
        if (!outcome.ok) return escapeHtml(outcome.message);
        return `${code(target)} ${outcome.already ? "was already" : "is now"} ${escapeHtml(outcome.user.status)}.`;
      }
      case "limits":
        return await setLimits(command.args, actor, core);
      default:
        return "I don't know that command.";
    }
  } catch (error) {
    if (VoxnixError.isInstance(error))
      return escapeHtml(error.kind === "forbidden" ? "Only admins can do that." : describeError(error));
    throw error;
  }
}

async function setLimits(args: string, actor: Actor, core: Core): Promise<string> {
  const [who, ...pairs] = args.split(/\s+/).filter(Boolean);
  const target = who ? targetUserId(who) : undefined;
  const usage = `Usage: ${code("/limits 12345 workloads=3 cpu=4 memory=8G disk=20G pids=2048 kind=vm vmonly=no")}`;
  if (!target) return usage;
  const limits: { -readonly [K in keyof UserLimitsInput]?: UserLimitsInput[K] } = {};
  for (const pair of pairs) {
    const [key, value] = pair.split("=", 2);
    // Own keys only: "constructor=…" must not find Object.prototype's members.
    const field =
      key !== undefined && Object.hasOwn(LIMIT_KEYS, key.toLowerCase()) ? LIMIT_KEYS[key.toLowerCase()] : undefined;
    if (!field || !value) return `I don't understand ${code(pair)}. ${usage}`;
    if (field === "maxWorkloads" || field === "cpuBudget" || field === "pidsBudget") {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0) return `${code(key!)} needs a positive number. ${usage}`;
      limits[field] = number;
    } else if (field === "diskQuota" || field === "memoryBudget") {
      limits[field] = value;
    } else if (field === "defaultKind") {
      const kind = value.toLowerCase();
      if (kind !== "vm" && kind !== "container")
        return `${code(key!)} is ${code("vm")} or ${code("container")}. ${usage}`;
      limits.defaultKind = kind;
    } else if (field === "vmOnly") {
      const flag = Object.hasOwn(YES_NO, value.toLowerCase()) ? YES_NO[value.toLowerCase()] : undefined;
      if (flag === undefined) return `${code(key!)} is ${code("yes")} or ${code("no")}. ${usage}`;
      limits.vmOnly = flag;
    }
  }
  if (pairs.length === 0) {
    const user = (await core.listUsers(actor)).find((candidate) => candidate.id === target);
    return user ? userLineHtml(user) : `No user ${code(target)}.`;
  }
  const user = await core.setUserLimits(actor, target, limits);
  return `Limits for ${userLineHtml(user)}`;
}

/** Whether `url` names loopback, which only the appliance itself can open. */
function opensOnApplianceOnly(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

/**
 * The answer to `/web` and "open the dashboard": a single-use login link for this Telegram
 * user (the actor comes from Telegram's `from.id`, never from the text). Link previews are
 * off in every message voxnix sends, and the link page needs a click anyway, so Telegram's
 * preview fetcher cannot spend it.
 */
export async function dashboardLinkHtml(
  actor: Actor,
  deps: { readonly core: Core; readonly dashboardLink?: ((token: string) => string) | undefined },
): Promise<string> {
  if (!deps.dashboardLink)
    return "The web dashboard is not running on this appliance. The administrator starts it with <code>voxnix serve</code> (or <code>voxnix http</code>).";
  try {
    const link = await deps.core.createLoginLink(actor);
    const url = deps.dashboardLink(link.token);
    return [
      `${bold("Your dashboard")}: <a href="${escapeHtml(url)}">open voxnix</a>`,
      "",
      code(url),
      "",
      "The link works once, for 10 minutes, and signs in as you — don't forward it. Send /web again for a new one.",
      // A phone cannot open the appliance's loopback: say so rather than hand out a dead link silently.
      ...(opensOnApplianceOnly(url)
        ? [
            "",
            "This address opens only on the appliance itself: the administrator has not published the dashboard yet (<code>http.publicUrl</code>).",
          ]
        : []),
    ].join("\n");
  } catch (error) {
    if (VoxnixError.isInstance(error)) return escapeHtml(describeError(error));
    throw error;
  }
}
