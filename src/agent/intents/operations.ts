/**
 * The offline engine's core calls: create (asking for a missing name), a command in a
 * container, and the operations on one existing workload, each through the turn and worded
 * for people.
 *
 * @module
 */
import { createPlanOf } from "../../api/outcome.js";
import type { ChangeIntent, CreateRequest, ExecIntent, Target, WorkloadRequest } from "./types.js";
import { clockTime } from "../../domain/idle.js";
import type { ChangePlan } from "../../api/outcome.js";
import type { ChangeRequestInput } from "../../domain/change.js";
import { formatSize } from "../../domain/sizes.js";
import type { ChatContext, EngineOutcome } from "../chat-context.js";
import { explainError } from "../../api/error-wording.js";
import { resolveTarget, suggestFreeName } from "./resolver.js";
import { jobSummary } from "../turn.js";
import * as replies from "../replies.js";
import { isImportedVm } from "../../core/api.js";
import { createInput, createOptions, createRecord, describeStarted } from "../create-input.js";
import { describeVmAnswer } from "./vm.js";

/** Creates a workload, or asks for a name when the request has none. */
export async function create(
  request: CreateRequest,
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  // No VM runtime: said plainly, and no container is made instead.
  if (request.kind === "vm" && !core.workloadKinds().includes("vm"))
    return { text: describeVmAnswer(core.workloadKinds(), false) };
  if (request.name === undefined) {
    const suggestion = await suggestFreeName(core, actor, names);
    return { text: `What should I call it? For example: ${suggestion}`, question: { request, suggestion } };
  }
  try {
    const asked = { ...request, name: request.name };
    const input = createInput(asked);
    const record = createRecord(asked);
    if (context.dryRun) {
      const plan = await turn.call(
        "planCreate",
        record,
        async () => createPlanOf(await core.plan(actor, { operation: "create", input, ...createOptions(asked) })),
        (value) => ({
          name: value.spec.name,
          kind: value.spec.kind,
          modules: value.spec.modules,
          backend: value.backend,
        }),
      );
      return { text: replies.describeCreatePlan(plan) };
    }
    const job = await turn.call("create", record, () => core.create(actor, input, createOptions(asked)), jobSummary);
    turn.job = job;
    return { text: describeStarted(asked, job.workloadKind) };
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** How long a command typed in the chat may run before it is stopped. */
const CHAT_EXEC_TIMEOUT_MS = 60_000;

/** Runs one command in one of the person's containers. */
export async function execCommand(
  request: ExecIntent,
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget("show", request.target, context.state.focus, names);
  if (resolution.kind === "ask") return { text: resolution.text };
  const name = resolution.name;
  const argv = [...request.argv];
  try {
    const result = await turn.call(
      "exec",
      { name, argv },
      () => core.exec(actor, { name, argv, timeoutMs: CHAT_EXEC_TIMEOUT_MS }),
      (value) => ({ exitCode: value.exitCode, timedOut: value.timedOut }),
    );
    return { text: replies.describeExec(name, argv, result) };
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** Runs one operation on one existing workload (a destroy only ever prepares a plan). */
export async function workloadOperation(
  request: WorkloadRequest,
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget(request.type, request.target, context.state.focus, names);
  const { focus, focusPlannedOnly } = context.state;
  if (
    resolution.kind === "ask" &&
    focus !== undefined &&
    focusPlannedOnly &&
    request.target.kind !== "named" &&
    !names.includes(focus)
  ) {
    return {
      text: `${focus} was only planned in a dry run, so it does not exist yet. Create it without --dry-run first.`,
    };
  }
  if (resolution.kind === "ask") return { text: resolution.text, question: { request } };
  const name = resolution.name;
  try {
    switch (request.type) {
      case "start":
        await turn.call(
          "start",
          { name },
          () => core.start(actor, name),
          (view) => ({ live: view.live }),
        );
        return { text: `${name} is started.` };
      case "stop":
        await turn.call(
          "stop",
          { name },
          () => core.stop(actor, name),
          (view) => ({ live: view.live }),
        );
        return { text: `${name} is stopped.` };
      case "restart":
        await turn.call(
          "restart",
          { name },
          () => core.restart(actor, name),
          (view) => ({ live: view.live }),
        );
        return { text: `${name} is restarted.` };
      case "destroy": {
        const confirmation = await turn.call("destroy", { name }, () => core.destroy(actor, name));
        return { text: replies.describeDestroyPlan(confirmation.plan, confirmation.expiresAt, context.clock.now()) };
      }
      case "restore": {
        const job = await turn.call("restore", { name }, () => core.restore(actor, name), jobSummary);
        turn.job = job;
        return { text: `Restoring ${name} from its snapshot. I'll tell you when it's back.` };
      }
      case "show": {
        const details = await turn.call(
          "show",
          { name },
          () => core.show(actor, name),
          (value) => ({ status: isImportedVm(value) ? "imported" : value.status, live: value.live }),
        );
        return { text: replies.describeDetails(details) };
      }
      case "logs": {
        const lines = request.lines ?? 20;
        const entries = await turn.call(
          "logs",
          { name, lines },
          () => core.logs(actor, name, { lines }),
          (value) => ({ lines: value.length }),
        );
        return { text: replies.describeLogs(name, entries) };
      }
    }
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** "keep", "keep web": resets an inactivity timer; with no name, the core keeps what the person was warned about. */
export async function keep(target: Target, context: ChatContext): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const name =
    target.kind === "named" || target.kind === "unknown"
      ? target.name
      : target.kind === "reference"
        ? context.state.focus
        : undefined;
  // A dry run resets no timer.
  if (context.dryRun)
    return {
      text: `Dry run: ${name === undefined ? "what you were warned about" : name} would keep running. Nothing was changed.`,
    };
  try {
    const result = await turn.call(
      "keep",
      name === undefined ? {} : { name },
      () => core.keep(actor, name),
      (value) => ({ kept: value.kept.map((kept) => kept.workload) }),
    );
    const lines = result.kept.map(
      (kept) =>
        `${kept.workload} keeps running${kept.stopsAt ? `; it stops at ${clockTime(kept.stopsAt)} if nobody uses it` : ""}.`,
    );
    return { text: lines.join("\n") };
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** "stop web after 2 hours idle": sets the workload's own inactivity timeout (within the owner's maximum). */
export async function setIdleTimeout(
  target: Target,
  timeout: string,
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget("show", target, context.state.focus, names);
  if (resolution.kind === "ask") return { text: resolution.text };
  const name = resolution.name;
  try {
    // A dry run changes nothing: it only checks the workload is the person's and says what would happen.
    if (context.dryRun) {
      await turn.call(
        "show",
        { name },
        () => core.show(actor, name),
        (value) => ({ status: isImportedVm(value) ? "imported" : value.status }),
      );
      return {
        text: `Dry run: ${name} would ${timeout === "off" ? "never be stopped for being idle" : `stop after ${timeout} without use`}. Nothing was changed.`,
      };
    }
    const view = await turn.call(
      "setIdleTimeout",
      { name, timeout },
      () => core.setIdleTimeout(actor, name, timeout),
      (value) => ({ timeoutMs: value.timeoutMs }),
    );
    const done =
      timeout === "off"
        ? `${name} is never stopped for being idle now.`
        : `${name} now stops after ${timeout} without use.`;
    return { text: `${done} (${view.summary})` };
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** CPUs and memory a "more"/"less" steps to: double or half of now, said in the reply. */
function stepped(current: number, step: "more" | "less"): number {
  return step === "more" ? current * 2 : current / 2;
}

/** Plans (and, when it needs no confirmation, applies) a change of one of the person's workloads. */
export async function changeOperation(
  request: ChangeIntent,
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget("show", request.target, context.state.focus, names);
  if (resolution.kind === "ask") return { text: resolution.text };
  const name = resolution.name;
  if (request.negated) return { text: `Okay, I won't change ${name}.` };
  const notes: string[] = [];
  const change: ChangeRequestInput = { addModules: [...request.addModules], removeModules: [...request.removeModules] };
  try {
    const diskStep =
      request.workspaceSize === "more" || request.workspaceSize === "less" ? request.workspaceSize : undefined;
    if (
      request.cpus === "more" ||
      request.cpus === "less" ||
      request.memory === "more" ||
      request.memory === "less" ||
      diskStep !== undefined
    ) {
      const details = await turn.call(
        "show",
        { name },
        () => core.show(actor, name),
        (value) => ({ status: isImportedVm(value) ? "imported" : value.status }),
      );
      // An imported VM has no spec: nothing to step from; the core refuses the change, naming the flag.
      const spec = isImportedVm(details) ? undefined : details.spec;
      const resources = spec?.resources;
      if (spec !== undefined && diskStep !== undefined) {
        // Doubling needs a size to start from: a workspace without a limit (or none at all) is said as it is.
        const workspace = spec.workspace;
        if (!workspace.enabled)
          return { text: `${name} has no workspace, so there is no disk size to change. Nothing was changed.` };
        if (workspace.sizeBytes === undefined)
          return {
            text: `${name}'s workspace has no size limit now, so I can't make it ${diskStep === "more" ? "bigger" : "smaller"} by a step. Say a size, for example "give ${name} a 20G workspace". Nothing was changed.`,
          };
        const size = Math.max(1024 ** 3, Math.round(stepped(workspace.sizeBytes, diskStep) / 1024 ** 2) * 1024 ** 2);
        notes.push(
          `${diskStep === "more" ? "doubled" : "halved"} the workspace size from ${formatSize(workspace.sizeBytes)} to ${formatSize(size)}`,
        );
        change.workspaceSize = size;
      }
      if (resources !== undefined && (request.cpus === "more" || request.cpus === "less")) {
        const cpus = Math.max(1, stepped(resources.cpus, request.cpus));
        notes.push(`${request.cpus === "more" ? "doubled" : "halved"} the CPUs from ${resources.cpus} to ${cpus}`);
        change.cpus = cpus;
      }
      if (resources !== undefined && (request.memory === "more" || request.memory === "less")) {
        const memory = Math.max(
          64 * 1024 ** 2,
          Math.round(stepped(resources.memoryBytes, request.memory) / 1024 ** 2) * 1024 ** 2,
        );
        notes.push(
          `${request.memory === "more" ? "doubled" : "halved"} the memory from ${formatSize(resources.memoryBytes)} to ${formatSize(memory)}`,
        );
        change.memory = memory;
      }
    }
    if (typeof request.cpus === "number") change.cpus = request.cpus;
    if (typeof request.memory === "string" && request.memory !== "more" && request.memory !== "less")
      change.memory = request.memory;
    if (request.workspaceSize !== undefined && diskStep === undefined) change.workspaceSize = request.workspaceSize;
    const record = { name, ...change };
    const said = notes.length > 0 ? ` (I ${notes.join(" and ")}; say a number for another size.)` : "";
    if (context.dryRun) {
      const planned = await turn.call("planChange", record, () =>
        core.plan(actor, { operation: "change", name, change }),
      );
      return {
        text: `${replies.describeChangePlan(planned.plan.operation === "change" ? planned.plan.change : undefined)}${said}`,
      };
    }
    const answer = await turn.call(
      "change",
      record,
      () => core.change(actor, name, change),
      (value) => ({ type: value.type }),
    );
    switch (answer.type) {
      case "done":
        return { text: `${replies.describeChangePlan(answer.value)}${said}` };
      case "job":
        turn.job = answer.job;
        return {
          text: `${replies.describeChangePlan(answer.plan)}${said} Applying it now; I'll tell you when it's done.`,
        };
      case "needs-confirmation":
        return {
          text: `${replies.describeChangeConfirmation(answer.plan as ChangePlan, answer.expiresAt, context.clock.now())}${said}`,
        };
    }
  } catch (error) {
    return { text: explainError(error) };
  }
}
