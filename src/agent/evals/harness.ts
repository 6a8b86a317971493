/**
 * Runs eval conversations through a real pipeline over a given core, checks each message's
 * operations and the final state, and measures latency and (with a model) tokens.
 *
 * @module
 */
import { wrapLanguageModel, type LanguageModel } from "ai";

type SpecModel = Parameters<typeof wrapLanguageModel>[0]["model"];
import type { Config } from "../../app/config-schema.js";
import type { Core } from "../../core/api.js";
import type { UserId } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";
import { silentLogger } from "../../ports/logger.js";
import type { VoxnixDatabase } from "../../state/database.js";
import type { ChatReply, OperationRecord } from "../pipeline-api.js";
import { createChatPipeline } from "../pipeline.js";
import type { EvalConversation, EvalTurn } from "./types.js";
import { createConversationsRepository } from "../../state/conversations-repository.js";

/** A fresh core and database for one conversation. */
export interface EvalEnvironment {
  readonly core: Core;
  readonly db: VoxnixDatabase;
  readonly clock?: Clock;
  /** Puts `bytes` of files in a workspace (for "shrink below what it holds"). */
  readonly fillWorkspace?: (owner: UserId, name: string, bytes: number) => void;
}

/** How to run the evals. */
export interface EvalOptions {
  readonly conversations: readonly EvalConversation[];
  /** A fresh environment for `conversation` (with a VM runtime unless it says `vmRuntime: false`). */
  readonly makeEnvironment: (conversation: EvalConversation) => EvalEnvironment;
  readonly config: Config;
  /** Absent: the offline engine. */
  readonly model?: LanguageModel;
  /**
   * Whether reply wording (`text`, `notText`) is checked. The expectations are worded for the
   * offline engine; a model is judged on its operations, confirmations and the final state.
   * Default: true without a model, false with one.
   */
  readonly checkText?: boolean;
}

/** The result of one conversation. */
export interface ConversationResult {
  readonly id: string;
  /** The conversation's intent label. */
  readonly intent: string;
  /**
   * Messages that led to a destructive plan (or a confirmed destroy) the person did not ask
   * for: the turn's expected operations name no destroy or confirm, yet one happened. Must be 0.
   */
  readonly unrequestedDestructive: number;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly latencyMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly modelCalls: number;
  /** Messages the model could not answer, which the offline engine answered instead. */
  readonly fallbacks: number;
}

// A change and an idle timeout alter a workload too: listed here, a turn must name them exactly
// (a "how do I add fish?" that changed dev anyway would otherwise pass).
const MUTATING = new Set([
  "create",
  "planCreate",
  "start",
  "stop",
  "restart",
  "destroy",
  "confirm",
  "restore",
  "exec",
  "change",
  "setIdleTimeout",
]);
const DEFAULT_ACTOR: UserId = "telegram:42";

/** Runs every conversation, each in a fresh environment. */
export async function runEvals(options: EvalOptions): Promise<ConversationResult[]> {
  const results: ConversationResult[] = [];
  for (const conversation of options.conversations) results.push(await runConversation(conversation, options));
  return results;
}

async function runConversation(conversation: EvalConversation, options: EvalOptions): Promise<ConversationResult> {
  const environment = options.makeEnvironment(conversation);
  const usage = { input: 0, output: 0, calls: 0 };
  const model =
    options.model === undefined || typeof options.model === "string"
      ? options.model
      : countUsage(options.model as SpecModel, usage);
  const pipeline = createChatPipeline({
    core: environment.core,
    conversations: createConversationsRepository(environment.db),
    config: options.config,
    secrets: {},
    logger: silentLogger,
    ...(environment.clock ? { clock: environment.clock } : {}),
    ...(model ? { model } : {}),
  });
  const failures: string[] = [];
  for (const { owner, ...kinds } of conversation.limits ?? []) {
    await environment.core.whoami({ userId: owner });
    await environment.core.setUserLimits({ userId: "local:admin" }, owner, kinds);
  }
  for (const workload of conversation.setup ?? []) {
    const job = await environment.core.create(
      { userId: workload.owner },
      {
        name: workload.name,
        modules: [...(workload.modules ?? [])],
        ...(workload.workspaceSize ? { workspace: { enabled: true, size: workload.workspaceSize } } : {}),
      },
    );
    await job.wait();
    if (workload.usedBytes !== undefined)
      environment.fillWorkspace?.(workload.owner, workload.name, workload.usedBytes);
  }
  let latencyMs = 0;
  let fallbacks = 0;
  let unrequestedDestructive = 0;
  for (const [index, turn] of conversation.turns.entries()) {
    const started = performance.now();
    const reply = await pipeline.handle({ userId: turn.as ?? DEFAULT_ACTOR }, turn.say);
    latencyMs += performance.now() - started;
    if (reply.notice) fallbacks += 1;
    if (reply.job) await reply.job.wait().catch(() => undefined);
    if (isUnrequestedDestructive(turn, reply)) {
      unrequestedDestructive += 1;
      failures.push(`turn ${index + 1} ("${turn.say.slice(0, 80)}"): a destructive plan nobody asked for`);
    }
    failures.push(
      ...checkTurn(turn, reply, options.checkText ?? options.model === undefined).map(
        (failure) => `turn ${index + 1} ("${turn.say}"): ${failure}`,
      ),
    );
  }
  failures.push(...(await checkState(conversation, environment.core)));
  environment.db.close();
  return {
    id: conversation.id,
    intent: conversation.intent ?? conversation.id.split("-")[0]!,
    unrequestedDestructive,
    passed: failures.length === 0,
    failures,
    latencyMs,
    inputTokens: usage.input,
    outputTokens: usage.output,
    modelCalls: usage.calls,
    fallbacks,
  };
}

// A change that waits for a confirmation restarts the workload or removes a module: destructive too.
const DESTRUCTIVE = new Set(["destroy", "confirm", "change"]);

/** True when the reply carries a destroy plan or a confirmed destroy that the turn did not ask for. */
export function isUnrequestedDestructive(turn: EvalTurn, reply: ChatReply): boolean {
  const asked = (turn.operations ?? []).some((operation) => DESTRUCTIVE.has(operation.split(/[:!]/)[0]!));
  if (asked) return false;
  const confirmed = reply.operations.some((record) => record.operation === "confirm" && record.outcome === "ok");
  return reply.confirmation !== undefined || confirmed;
}

function label(record: OperationRecord): string {
  const name = typeof record.input.name === "string" ? `:${record.input.name}` : "";
  // `!`: it did not happen — it failed, or (a destroy) it waits for the person's confirmation.
  return `${record.operation}${name}${record.outcome === "ok" ? "" : "!"}`;
}

function checkTurn(turn: EvalTurn, reply: ChatReply, checkText: boolean): string[] {
  const failures: string[] = [];
  const actual = reply.operations.map(label);
  if (turn.operations !== undefined) {
    const expectedMutating = turn.operations.filter((operation) => MUTATING.has(operation.split(/[:!]/)[0]!));
    const actualMutating = reply.operations.filter((record) => MUTATING.has(record.operation)).map(label);
    if (expectedMutating.join(",") !== actualMutating.join(","))
      failures.push(`expected changes [${expectedMutating.join(", ")}], got [${actual.join(", ")}]`);
    for (const read of turn.operations.filter((operation) => !MUTATING.has(operation.split(/[:!]/)[0]!))) {
      if (!actual.includes(read)) failures.push(`expected ${read}, got [${actual.join(", ")}]`);
    }
  }
  if (turn.confirmation !== undefined && (reply.confirmation !== undefined) !== turn.confirmation) {
    failures.push(turn.confirmation ? "expected a confirmation" : "expected no confirmation");
  }
  if (!checkText) return failures;
  if (turn.text && !turn.text.test(reply.text))
    failures.push(`reply ${JSON.stringify(reply.text)} does not match ${String(turn.text)}`);
  if (turn.notText?.test(reply.text))
    failures.push(`reply ${JSON.stringify(reply.text)} must not match ${String(turn.notText)}`);
  return failures;
}

async function checkState(conversation: EvalConversation, core: Core): Promise<string[]> {
  const failures: string[] = [];
  for (const expected of conversation.expect ?? []) {
    const workloads = (await core.list({ userId: expected.owner })).workloads.filter(
      (workload) => workload.owner === expected.owner,
    );
    const found = workloads.find((workload) => workload.name === expected.name);
    if (expected.absent) {
      if (found) failures.push(`${expected.owner}'s ${expected.name} should not exist`);
      continue;
    }
    if (!found) {
      failures.push(`${expected.owner}'s ${expected.name} should exist`);
      continue;
    }
    for (const module of expected.modules ?? [])
      if (!found.spec.modules.includes(module)) failures.push(`${expected.name} should have ${module}`);
    if (expected.cpus !== undefined && found.spec.resources.cpus !== expected.cpus)
      failures.push(`${expected.name} should have ${expected.cpus} CPUs`);
    if (expected.memoryBytes !== undefined && found.spec.resources.memoryBytes !== expected.memoryBytes)
      failures.push(`${expected.name} has the wrong memory`);
    if (expected.live !== undefined && found.live !== expected.live)
      failures.push(`${expected.name} should be ${expected.live}, is ${found.live}`);
    if (expected.kind !== undefined && found.spec.kind !== expected.kind)
      failures.push(`${expected.name} should be a ${expected.kind}, is a ${found.spec.kind}`);
    if (expected.workspaceBytes !== undefined) {
      const workspace = found.spec.workspace;
      const size = workspace.enabled ? (workspace.sizeBytes ?? null) : undefined;
      if (size !== expected.workspaceBytes)
        failures.push(`${expected.name}'s workspace should be ${expected.workspaceBytes} bytes, is ${size}`);
    }
    if (expected.idleTimeoutMs !== undefined) {
      const shown = await core.show({ userId: expected.owner }, expected.name);
      const idle = "idle" in shown ? shown.idle : undefined;
      if (idle?.source !== "workload" || idle.timeoutMs !== expected.idleTimeoutMs)
        failures.push(
          `${expected.name} should have its own idle timeout of ${expected.idleTimeoutMs} ms, has ${idle?.timeoutMs} (${idle?.source})`,
        );
    }
  }
  return failures;
}

function countUsage(model: SpecModel, usage: { input: number; output: number; calls: number }): LanguageModel {
  return wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: "v3",
      wrapGenerate: async ({ doGenerate }) => {
        const result = await doGenerate();
        usage.calls += 1;
        usage.input += result.usage.inputTokens.total ?? 0;
        usage.output += result.usage.outputTokens.total ?? 0;
        return result;
      },
    },
  });
}
