/**
 * Replies for what the offline engine understood but does not act on: a login question, a declined request ("don't delete web") and a question back when a
 * message could be read as destructive. They name only what exists today.
 *
 * @module
 */
import { sshCommand, type SshAccess } from "../../domain/ssh-access.js";
import type { ActionVerb, ClarifyReason, Target } from "./types.js";

/** How each verb reads in a sentence ("I won't show the logs of web"). */
export const VERB_PHRASES: Readonly<Record<ActionVerb, string>> = {
  create: "create",
  start: "start",
  stop: "stop",
  restart: "restart",
  destroy: "destroy",
  restore: "restore",
  show: "show",
  logs: "show the logs of",
};

/** The workload a target names, when it names one. */
export function targetName(target: Target, focus: string | undefined): string | undefined {
  if (target.kind === "named" || target.kind === "unknown") return target.name;
  if (target.kind === "reference") return focus;
  return undefined;
}

/** How a person in a chat gets a dashboard login link (Telegram's `/web`, `voxnix web link` on the appliance). */
export const CHAT_LOGIN_HINT = "ask for a login link: /web in Telegram, or voxnix web link on the appliance";

/** The ways in a login answer can name: the SSH gateway (with how many keys the person has) and the dashboard. */
export interface AccessAnswerPoints {
  readonly ssh?: { readonly access: SshAccess; readonly keys: number };
  readonly dashboardUrl?: string;
}

/**
 * "How do I log into dev?": the SSH gateway's exact command and the dashboard's browser
 * terminal when they are set up, else what exists today.
 */
export function describeAccess(
  name: string | undefined,
  names: readonly string[],
  points: AccessAnswerPoints = {},
): string {
  const which = name ?? "<name>";
  const unknown = name !== undefined && !names.includes(name) ? [`You have no container called "${name}".`] : [];
  const { ssh, dashboardUrl } = points;
  const dashboard = dashboardUrl
    ? [`In a browser: the dashboard at ${dashboardUrl} has a terminal for ${which} (${CHAT_LOGIN_HINT}).`]
    : [];
  if (ssh) {
    const command = sshCommand(ssh.access, which);
    const lines = [
      ...unknown,
      `Open a shell in ${which} from your computer with: ${command}`,
      `Run one command: ${command} -- git --version   ·   copy files: scp -P ${ssh.access.port} file ${which}@${ssh.access.host.replace(/^\[(.*)\]$/, "$1")}:/workspace/`,
      `Reach a port of ${which} (say 3000) on your computer: ${command.replace(/^ssh /, "ssh -N -L 3000:localhost:3000 ")}`,
      ssh.keys > 0
        ? `ssh logs you in with your registered key (${ssh.keys === 1 ? "1 key" : `${ssh.keys} keys`}).`
        : "First register your public key: send /sshkey followed by the contents of ~/.ssh/id_ed25519.pub (no key yet? run ssh-keygen -t ed25519).",
      ...dashboard,
    ];
    return lines.join("\n");
  }
  if (dashboardUrl) {
    return [
      ...unknown,
      `SSH is not set up on this appliance, but the dashboard at ${dashboardUrl} has a browser terminal for ${which} (${CHAT_LOGIN_HINT}).`,
      `An admin on the appliance can also open a shell with: voxnix ctl shell ${which}`,
      `From this chat you can run one command at a time: run <command> in ${which}`,
    ].join("\n");
  }
  const lines = [
    "Remote login (SSH or a web terminal) is not set up on this appliance yet, so there is no address to log into.",
    `What works today: an admin on the appliance can open a shell with: voxnix ctl shell ${which}`,
    `From this chat you can run one command at a time: run <command> in ${which}`,
  ];
  return [...unknown, ...lines].join("\n");
}

/** A request the person said not to do. */
export function describeDeclined(verb: ActionVerb, name: string | undefined): string {
  return name === undefined
    ? `Okay, I won't ${VERB_PHRASES[verb]} anything.`
    : `Okay, I won't ${VERB_PHRASES[verb]} ${name}.`;
}

/** A question back instead of acting. */
export function describeClarify(verb: ActionVerb, name: string | undefined, why: ClarifyReason): string {
  const subject = name ?? (verb === "create" ? "a container" : "<name>");
  switch (why) {
    case "later":
      return [
        `I can't ${VERB_PHRASES[verb]} ${subject} later or on a condition: I only act right away, so I did nothing.`,
        `To ${VERB_PHRASES[verb]} it now, say: ${VERB_PHRASES[verb]} ${subject}`,
        ...(verb === "stop"
          ? [`To have it stop by itself when nobody uses it, say for example: stop ${subject} after 2 hours idle`]
          : []),
      ].join("\n");
    case "modify":
      return `That sounds like something inside ${subject}, not ${subject} itself, so I did not destroy anything. To take a module out, say for example: remove fish from ${subject}. To destroy the whole container, say: destroy ${subject}`;
    case "several":
      return verb === "destroy"
        ? "I destroy one container at a time, and only when you ask for that one plainly. Nothing was done. Say for example: destroy web"
        : "That's a lot of requests in one message. Nothing was done; please send them one or two at a time.";
    case "question":
      if (verb === "destroy") {
        return [
          `Destroying ${subject} removes the container and its workspace; I always show you what it removes and ask you to confirm first.`,
          `For a while afterwards "undo" or "restore ${subject}" brings it back from its snapshot.`,
          `Nothing was done. To go ahead, say: destroy ${subject}`,
        ].join("\n");
      }
      return `Yes, just say "${VERB_PHRASES[verb]} ${subject}" and I'll do it. Nothing was done yet.`;
    case "unclear":
      return verb === "destroy"
        ? `I'm not sure you want ${subject} destroyed, so I did nothing. If you do, say plainly: destroy ${subject}`
        : `I'm not sure what you want me to do with ${subject}. Nothing was done.`;
  }
}
