/**
 * `voxnix say [--as <user>] [--json] [--dry-run] [--yes] "<message>"`: one message through the
 * chat pipeline, the reply on stdout. A started job is followed to its end; a destroy plan
 * exits with code 4 unless `--yes` confirms it; a failed operation exits with the code
 * `voxnix ctl` would use; `--json` adds the operations performed.
 *
 * @module
 */
import { chatPipelineFor } from "../chat-pipeline.js";
import type { CliContext, RegisterCommand } from "../context.js";
import type { ChatReply } from "../../../agent/pipeline-api.js";
import { EXIT, EXIT_CODE_BY_KIND, exitCodeFor } from "../exit-codes.js";

/** Registers `voxnix say`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("say")
    .description("Send one message to voxnix as if chatting, and print the reply")
    .argument("<message...>", "what to say")
    .action((words: string[]) => say(context, words.join(" ")));
};

interface JobReport {
  readonly id: string;
  readonly ok: boolean;
  readonly text: string;
  readonly error?: { readonly kind: string; readonly message: string };
}

async function say(context: CliContext, message: string): Promise<void> {
  const { actor, dryRun, yes } = context.globals();
  const app = await context.app();
  const pipeline = await chatPipelineFor(app, { dryRun });
  const replies: ChatReply[] = [];
  const jobs: JobReport[] = [];
  let reply = await pipeline.handle(actor, message);
  replies.push(reply);
  if (reply.notice) context.warn(`note: ${reply.notice}`);
  context.say(reply.text);
  if (reply.confirmation && yes) {
    reply = await pipeline.confirm(actor, reply.confirmation.token);
    replies.push(reply);
    context.say(reply.text);
  }
  if (reply.job) jobs.push(await follow(context, reply.job));
  const pending = reply.confirmation;
  if (pending) {
    // Each `say` is its own process and a typed "yes" only answers a plan made in the same
    // process (chat memory never stores the token), so the way on is the token itself.
    context.say(`(confirm with: voxnix ctl confirm --as ${actor.userId} ${pending.token}, or run again with --yes)`);
    context.setExitCode(EXIT.needsConfirmation);
  }
  // A failed operation gives the same exit code as the matching `voxnix ctl` command would.
  const failedOperation = reply.operations.findLast((operation) => operation.outcome === "error");
  if (failedOperation?.error && !pending) context.setExitCode(EXIT_CODE_BY_KIND[failedOperation.error.kind]);
  const failedJob = jobs.find((job) => !job.ok);
  if (failedJob) context.setExitCode(EXIT.failed);
  context.json({
    text: replies.map((entry) => entry.text).join("\n"),
    engine: reply.engine,
    ...(replies[0]?.notice ? { notice: replies[0].notice } : {}),
    operations: replies.flatMap((entry) => entry.operations),
    ...(pending
      ? { confirmation: { token: pending.token, plan: pending.plan, expiresAt: pending.expiresAt.toISOString() } }
      : {}),
    ...(jobs.length > 0 ? { jobs } : {}),
  });
}

async function follow(context: CliContext, job: NonNullable<ChatReply["job"]>): Promise<JobReport> {
  const { waitForJobOutcome, CLI_LOGIN_HINT } = await import("../../../agent/job-outcome.js");
  const display = await context.progress(`working (job ${job.id})`);
  const unsubscribe = job.onEvent((event) => {
    if (event.type === "step") display.update(event.message);
    else if (event.type === "log") display.log(event.line);
  });
  const { accessPointsFrom } = await import("../../../domain/ssh-access.js");
  const outcome = await waitForJobOutcome(job, accessPointsFrom((await context.app()).config), CLI_LOGIN_HINT);
  unsubscribe();
  display.end(outcome.ok ? "succeeded" : "failed", outcome.ok ? "finished" : "failed");
  if (!outcome.ok) context.setExitCode(exitCodeFor(outcome.error));
  context.say(outcome.text);
  const error = outcome.error as { kind?: string; message?: string } | undefined;
  return {
    id: job.id,
    ok: outcome.ok,
    text: outcome.text,
    ...(error?.kind ? { error: { kind: error.kind, message: error.message ?? "" } } : {}),
  };
}
