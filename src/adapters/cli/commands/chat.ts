/**
 * `voxnix chat [--as <user>] [--dashboard]`: the chat pipeline in a terminal REPL. A spinner
 * while the assistant thinks and while jobs run, and a y/N prompt for destroy plans. Works on
 * a terminal and with piped input (`printf 'list\n' | voxnix chat`); Ctrl-D or "exit" ends it.
 *
 * With `--dashboard` (what `npm run up` starts) the dashboard and HTTP API are served on
 * `http.listen` while the chat runs, and the greeting says where, with a single-use login link
 * for the person chatting; if something already serves that address (`voxnix serve`), the
 * greeting points there instead.
 *
 * @module
 */
import { chatPipelineFor } from "../chat-pipeline.js";
import type { CliContext, RegisterCommand } from "../context.js";
import type { ChatPipeline, ChatReply } from "../../../agent/pipeline-api.js";
import type { Actor } from "../../../domain/identity.js";
import { formatTime } from "../render.js";

/** Registers `voxnix chat`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("chat")
    .description("Talk to your infrastructure in the terminal")
    .option("--dashboard", "also serve the dashboard while the chat runs, and print a login link to it")
    .action((flags: { readonly dashboard?: boolean }) => chat(context, flags.dashboard === true));
};

async function chat(context: CliContext, dashboard: boolean): Promise<void> {
  const { actor, dryRun } = context.globals();
  const served = dashboard && !dryRun ? await serveDashboard(context, actor) : undefined;
  try {
    await converse(context, actor, dryRun);
  } finally {
    await served?.stop();
  }
}

/**
 * Serves the dashboard for the chat's lifetime and says where, with a login link for `actor`.
 * An address already in use is someone else's server (`voxnix serve`): the link points there.
 */
async function serveDashboard(context: CliContext, actor: Actor): Promise<{ stop(): Promise<void> } | undefined> {
  const app = await context.app();
  const [{ startHttpService }, { loginLinkUrl }, { dashboardBaseUrl }, { dashboardLines }, { hostname }] =
    await Promise.all([
      import("../services/http-service.js"),
      import("../../http/web/links.js"),
      import("../../../domain/ssh-access.js"),
      import("../../../domain/dashboard-reach.js"),
      import("node:os"),
    ]);
  let service: Awaited<ReturnType<typeof startHttpService>> | undefined;
  let already = false;
  try {
    // The service's machine-readable ready line is for supervisors, not for a chat.
    service = await startHttpService(app, { ...context.io, stdout: () => undefined });
  } catch (error) {
    // The service words EADDRINUSE as a configuration error naming the address.
    if (
      (error as { issues?: readonly { message: string }[] }).issues?.some((issue) =>
        issue.message.includes("is already in use"),
      )
    )
      already = true;
    else {
      context.warn(`The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
  const link = await app.core.createLoginLink(actor);
  if (already) context.say(`The dashboard is already served at ${dashboardBaseUrl(app.config.http)}/web/`);
  else for (const line of dashboardLines(app.config.http, hostname())) context.say(line);
  context.say(
    `Sign in with: ${loginLinkUrl(app.config.http, link.token)} (for ${link.userId}; works once, until ${formatTime(link.expiresAt)}; voxnix web link prints another)`,
  );
  return service ? { stop: () => service.stop() } : undefined;
}

async function converse(context: CliContext, actor: Actor, dryRun: boolean): Promise<void> {
  const app = await context.app();
  const { createInterface } = await import("node:readline");
  const pipeline = await chatPipelineFor(app, { dryRun });
  const io = context.io;
  const readline = createInterface({ input: process.stdin, terminal: io.isTTY && process.stdin.isTTY === true });
  const lines = readline[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | undefined> => {
    io.stdout(prompt);
    const next = await lines.next();
    if (next.done) return undefined;
    if (!(io.isTTY && process.stdin.isTTY)) io.stdout(`${next.value}\n`);
    return next.value;
  };

  const engine =
    app.config.llm.provider === "none" ? "offline assistant (no model configured)" : `${app.config.llm.provider} model`;
  io.stdout(
    `voxnix chat as ${actor.userId}, ${engine}${dryRun ? ", dry run" : ""}. Type "help", or "exit" to leave.\n`,
  );
  try {
    for (;;) {
      const text = await ask("you › ");
      if (text === undefined) break;
      const trimmed = text.trim();
      if (trimmed === "") continue;
      if (/^(exit|quit|bye|\/exit|\/quit)$/i.test(trimmed)) break;
      const reply = await thinking(context, () => pipeline.handle(actor, trimmed));
      await present(context, pipeline, actor, reply, ask);
    }
  } finally {
    readline.close();
  }
}

async function present(
  context: CliContext,
  pipeline: ChatPipeline,
  actor: Actor,
  reply: ChatReply,
  ask: (prompt: string) => Promise<string | undefined>,
): Promise<void> {
  const io = context.io;
  if (reply.notice) io.stderr(`(${reply.notice})\n`);
  io.stdout(`voxnix › ${reply.text.replace(/\n/g, "\n         ")}\n`);
  if (reply.job) await followJob(context, reply.job);
  if (reply.confirmation) {
    const answer = await ask("Confirm? [y/N] ");
    const confirmed = answer !== undefined && /^\s*(y|yes)\s*$/i.test(answer);
    const next = confirmed
      ? await thinking(context, () => pipeline.confirm(actor, reply.confirmation!.token))
      : await pipeline.cancel(actor, reply.confirmation.token);
    await present(context, pipeline, actor, next, ask);
  }
}

async function thinking<T>(context: CliContext, work: () => Promise<T>): Promise<T> {
  if (!(context.io.isTTY && context.io.stderrStream)) return work();
  const { default: ora } = await import("ora");
  // ora's default `discardStdin` pauses stdin when it stops, which would end the REPL's line reader.
  const spinner = ora({ text: "thinking", stream: context.io.stderrStream, discardStdin: false }).start();
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}

async function followJob(context: CliContext, job: NonNullable<ChatReply["job"]>): Promise<void> {
  const { waitForJobOutcome, CLI_LOGIN_HINT } = await import("../../../agent/job-outcome.js");
  const io = context.io;
  // A spinner of its own rather than `context.progress`: in a REPL it must leave stdin alone.
  let update = (message: string) => io.stderr(`... ${message}\n`);
  let stop = () => undefined as void;
  if (io.isTTY && io.stderrStream) {
    const { default: ora } = await import("ora");
    const spinner = ora({ text: `working (job ${job.id})`, stream: io.stderrStream, discardStdin: false }).start();
    update = (message) => {
      spinner.text = message;
    };
    stop = () => void spinner.stop();
  }
  const unsubscribe = job.onEvent((event) => {
    if (event.type === "step") update(event.message);
  });
  const { accessPointsFrom } = await import("../../../domain/ssh-access.js");
  const outcome = await waitForJobOutcome(job, accessPointsFrom((await context.app()).config), CLI_LOGIN_HINT);
  unsubscribe();
  stop();
  io.stdout(`voxnix › ${outcome.text.replace(/\n/g, "\n         ")}\n`);
}
