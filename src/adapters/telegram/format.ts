/**
 * The bot's own words, as HTML: welcome and help lines, the destroy plan shown above the
 * Confirm / Cancel buttons, and summaries of finished jobs. Every value that came from a
 * person or a host passes through `escapeHtml`.
 *
 * @module
 */
import { sshCommand, type SshAccess } from "../../domain/ssh-access.js";
import type { JobResult, UserView } from "../../core/api.js";
import type { PendingConfirmation } from "../../agent/pipeline-api.js";
import { formatSize } from "../../domain/sizes.js";
import { bold, code, escapeHtml } from "./render.js";

/** The first message a new, approved user sees. */
export function welcomeHtml(name: string | undefined): string {
  return [
    `Hi${name ? ` ${escapeHtml(name)}` : ""}! I'm ${bold("voxnix")}: tell me what you need and I'll run it as a container.`,
    "",
    "Try:",
    "• spin up a dev container called web with git and fish",
    "• list my containers",
    "• stop web",
    "• destroy web",
    "",
    "/help shows everything I understand.",
  ].join("\n");
}

/** Sent once to someone who is waiting for an admin. */
export const WAITING_HTML =
  "Thanks for your message! An admin needs to approve you before you can use voxnix. I've asked them, and I'll tell you as soon as they decide.";
/** Sent again when a waiting person writes more. */
export const STILL_WAITING_HTML = "Still waiting for an admin to approve you. I'll message you when they do.";
/** Sent to someone an admin declined. */
export const DENIED_HTML = "Sorry, an admin declined access for this account.";
/** Sent in groups, where voxnix does not act. */
/** For a newcomer when no admin could be messaged yet (none configured, or none opened a chat with the bot). */
export const WAITING_NO_ADMIN_HTML =
  "Thanks for your message! An admin needs to approve you before you can use voxnix, but I could not reach one yet. I'll ask again when you write next; you may also tell them yourself.";
/** For a photo, sticker, voice message and the like. */
export const NOT_TEXT_HTML = "I only understand text messages.";
/** For an edited message: edits are not acted on. */
export const EDITED_MESSAGE_HTML = "I don't act on edited messages. Please send what you want as a new message.";
export const PRIVATE_ONLY_HTML =
  "voxnix works in private chats only. Open a chat with me directly to manage your containers.";

/** The plan above Confirm / Cancel. */
export function planHtml(confirmation: PendingConfirmation, now: Date): string {
  const { plan } = confirmation;
  const minutes = Math.max(1, Math.round((confirmation.expiresAt.getTime() - now.getTime()) / 60_000));
  const lines = [`${bold(`Destroy ${plan.workload}?`)}`];
  if (plan.removes.length > 0) lines.push("", "This removes:", ...plan.removes.map((item) => `• ${escapeHtml(item)}`));
  if (plan.keeps.length > 0) lines.push("", "This keeps:", ...plan.keeps.map((item) => `• ${escapeHtml(item)}`));
  lines.push("", `Press Confirm (or type "yes") within ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  return lines.join("\n");
}

/** A finished job's result in a few lines. */
export function resultHtml(job: JobResult, access: ResultAccess = {}): string {
  if (job.kind === "create" || job.kind === "restore") {
    const result = job.value;
    const lines = [
      `✅ ${bold(result.name)} is ${result.live === "running" ? "running" : escapeHtml(String(result.live))}.`,
    ];
    if (result.spec.modules.length > 0) lines.push(`Modules: ${escapeHtml(result.spec.modules.join(", "))}`);
    if (result.addresses.length > 0) lines.push(`Address: ${result.addresses.map(code).join(", ")}`);
    // How to get in: the exact ssh line and the dashboard, when this appliance offers them.
    if (access.ssh) lines.push(`Get in: ${code(sshCommand(access.ssh, result.name))}`);
    if (access.dashboard) lines.push("Dashboard with a browser terminal: send /web for a login link.");
    return lines.join("\n");
  }
  if (job.kind === "destroy") {
    const result = job.value;
    const lines = [`✅ ${bold(result.workload)} was destroyed.`];
    if (result.snapshot)
      lines.push(
        `Its workspace is kept until ${escapeHtml(result.snapshot.expiresAt.toISOString().slice(0, 16).replace("T", " "))} UTC; say "restore ${escapeHtml(result.workload)}" to bring it back.`,
      );
    for (const warning of result.warnings) lines.push(`⚠️ ${escapeHtml(warning)}`);
    return lines.join("\n");
  }
  return "✅ Done.";
}

/** How people get into a workload from this bot: the SSH gateway and the dashboard, when they are on. */
export interface ResultAccess {
  readonly ssh?: SshAccess | undefined;
  /** This process serves the dashboard (`/web` gives login links). */
  readonly dashboard?: boolean;
}

/** One line per user for `/users`. */
export function userLineHtml(user: UserView): string {
  const name = user.displayName ? ` (${escapeHtml(user.displayName)})` : "";
  const kind = user.limits.vmOnly === true ? ", VMs only" : user.limits.defaultKind === "vm" ? ", VMs by default" : "";
  const limits = `${user.limits.maxWorkloads} workloads, ${user.limits.cpuBudget} CPUs, ${formatSize(user.limits.memoryBudgetBytes)} memory, ${formatSize(user.limits.diskQuotaBytes)} disk${kind}`;
  return `${code(user.id)}${name} — ${escapeHtml(user.status)}${user.role === "admin" ? ", admin" : ""}; ${user.workloads} workload${user.workloads === 1 ? "" : "s"}; ${escapeHtml(limits)}`;
}
