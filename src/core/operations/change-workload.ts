/**
 * `change`: the person states a change ("add code-server", "2 CPUs"); the core builds the new
 * spec from the stored one, validates it like a create (catalog, the workload's runtime, the
 * admin's limits, the person's budgets), and answers with a plan showing every field before →
 * after and whether the workload restarts. Nothing to change: it says so and touches nothing.
 * A disruptive change (a restart, or a module removed) answers `needs-confirmation` with the
 * same single-use tokens as destroy (`confirm` redeems them); any other change starts its job
 * at once. The job applies the spec through the runtime and, if that fails, applies the
 * previous spec again (a `Reverter`); the stored spec changes only after success, and the
 * workspace is never touched.
 *
 * @module
 */
import {
  changedSpecInput,
  diffSpecs,
  isEmptyChange,
  onlyResourcesChanged,
  parseChangeRequest,
  removedModules,
  runtimeChanges,
  type ChangeRequest,
} from "../../domain/change.js";
import { userStorageKey } from "../../domain/identity.js";
import { formatSize } from "../../domain/sizes.js";
import { HostFailureError, InvalidInputError, TimeoutError, VoxnixError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { Reverter } from "../../domain/reverter.js";
import type { WorkloadSpec } from "../../domain/spec.js";
import type { ChangePlan } from "../../api/outcome.js";
import type { StoredUser } from "../../state/users-repository.js";
import type { WorkloadRecord } from "../../state/workloads-repository.js";
import type { ConfirmationRecord } from "../../state/confirmations-repository.js";
import type { ChangeOutcome, ChangeResult, JobOf, Planned } from "../api.js";
import { checkQuotas, validateChangedSpec } from "../admission.js";
import { recordAudit } from "../audit.js";
import { confirmationRefused, issueToken, planChanged, planHash } from "../confirmations.js";
import type { CoreContext } from "../context.js";
import { validateName } from "../inputs.js";
import type { JobContext } from "../jobs.js";
import { runOperation } from "../run-operation.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import type { CoreServices } from "../services.js";
import { currentView } from "../workload-access.js";
import { prepareHost } from "./start-workload.js";

/** A checked change: the new spec, its plan, and how the runtime applies it. */
interface PreparedChange {
  readonly spec: WorkloadSpec;
  readonly plan: ChangePlan;
  /** The runtime has something to apply (anything but the workspace size). */
  readonly runtime: boolean;
  /** The workspace's new size limit, when it changes (`null`: no limit). */
  readonly workspaceSize?: { readonly before: number | null; readonly after: number | null };
  readonly live: boolean;
  /** It was running when planned: a rollback must leave it running again. */
  readonly running: boolean;
}

function validateInput(
  name: string,
  change: unknown,
): { name: ReturnType<typeof validateName>; change: ChangeRequest } {
  const valid = validateName(name);
  const request = parseChangeRequest(change);
  if (isEmptyChange(request)) {
    throw new InvalidInputError([
      {
        path: "change",
        message:
          "Say what to change: modules to add or remove, module options, CPUs, memory, processes or the workspace size.",
      },
    ]);
  }
  return { name: valid, change: request };
}

/** Changes the actor's workload `name` as `change` states. */
export function changeWorkload(
  services: CoreServices,
  actor: Actor,
  name: string,
  change: unknown,
): Promise<ChangeOutcome> {
  const { context } = services;
  // Filled in once the plan is known, so the audit record shows every field before → after.
  const args: Record<string, unknown> = { name, change };
  return runOperation(services, {
    operation: "change",
    actor,
    args,
    validate: () => validateInput(name, change),
    target: (input) => input.name,
    run: async ({ user, workload, input, detach }): Promise<ChangeOutcome> => {
      const record = workload!;
      const prepared = await prepareChange(context, user, record, input.change);
      args.changes = prepared.plan.changes;
      if (prepared.plan.unchanged) return { type: "done", value: prepared.plan };
      if (prepared.plan.disruptive) {
        const { token, expiresAt } = issueToken(context, user.id, record, prepared.plan, {
          requestJson: JSON.stringify(input.change),
        });
        return { type: "needs-confirmation", plan: prepared.plan, token, expiresAt };
      }
      const onSettled = detach();
      const job = startChangeJob(services, actor, record, prepared, onSettled);
      return { type: "job", plan: prepared.plan, job };
    },
  });
}

/** The dry run of `change`: the same checks and plan, no token, no job. */
export function planChange(services: CoreServices, actor: Actor, name: string, change: unknown): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "change",
    actor,
    args: { name, change },
    dryRun: true,
    validate: () => validateInput(name, change),
    target: (input) => input.name,
    run: async ({ user, workload, input }) => {
      const { plan } = await prepareChange(context, user, workload!, input.change);
      return {
        type: "planned",
        plan: { operation: "change", workload: plan.workload, change: plan, steps: changeSteps(plan) },
      };
    },
  });
}

/**
 * Redeems a change confirmation inside `confirm` (which has checked the token's actor, expiry
 * and use): lock, re-read, plan again from the stored request and refuse a plan that changed.
 */
export async function confirmChange(
  services: CoreServices,
  actor: Actor,
  user: StoredUser,
  confirmation: ConfirmationRecord,
  scope: {
    readonly lock: (name: string) => void;
    readonly detach: () => (jobId: string | undefined, error?: unknown) => void;
  },
): Promise<JobOf<"change">> {
  const { context } = services;
  scope.lock(confirmation.workload);
  const record = context.repos.workloads.get(confirmation.workload);
  if (!record || record.status !== "ready") throw planChanged(confirmation.workload, "change");
  let request: ChangeRequest;
  try {
    request = parseChangeRequest(JSON.parse(confirmation.requestJson ?? "null"));
  } catch {
    throw confirmationRefused();
  }
  const prepared = await prepareChange(context, user, record, request);
  if (prepared.plan.unchanged || planHash(prepared.plan, record) !== confirmation.planHash)
    throw planChanged(record.name, "change");
  if (!context.repos.confirmations.markUsed(confirmation.tokenHash, context.deps.clock.now()))
    throw confirmationRefused();
  const onSettled = scope.detach();
  return startChangeJob(services, actor, record, prepared, onSettled);
}

/** Builds, validates and admits the new spec, and plans how it is applied. Changes nothing. */
async function prepareChange(
  context: CoreContext,
  user: StoredUser,
  record: WorkloadRecord,
  change: ChangeRequest,
): Promise<PreparedChange> {
  const spec = validateChangedSpec(context, record, changedSpecInput(record.spec, change));
  const changes = diffSpecs(record.spec, spec);
  const runtime = runtimeForWorkload(context.deps.runtimes, record);
  const info = runtime.info();
  const unchanged = changes.length === 0;
  const forRuntime = runtimeChanges(changes);
  const workspaceSize = unchanged ? undefined : await checkWorkspaceResize(context, record, spec);
  if (!unchanged) {
    if (forRuntime.length > 0 && !runtime.change) {
      throw new InvalidInputError([
        {
          path: "name",
          message: `Changing ${record.spec.kind === "vm" ? "VMs" : "containers"} is not supported on the ${info.name} runtime; "${record.name}" was left as it is.`,
        },
      ]);
    }
    checkQuotas(context, user, spec, record.spec);
  }
  const running = unchanged ? false : (await runtime.show(record.name as never))?.state === "running";
  // A workspace size alone changes in place on the storage driver, whatever the runtime.
  const live =
    running && (forRuntime.length === 0 || (info.capabilities.liveResize && onlyResourcesChanged(forRuntime)));
  const restart = running && !live;
  const removed = removedModules(record.spec, spec);
  const removes = [
    ...removed.map((module) => `the module ${module} (what it installed and configured)`),
    ...(restart ? [`a restart: everything running in ${record.name} stops and starts again`] : []),
  ];
  const keeps = [
    ...(record.spec.workspace.enabled ? [`the /workspace files of ${record.name}`] : []),
    `its name, address and owner`,
  ];
  const notes = unchanged
    ? [`${record.name} already has that; nothing changes.`]
    : [
        ...(live ? ["applied while it runs; no restart"] : []),
        ...(workspaceSize ? [`the workspace size limit changes at once, while it is in use; its files stay`] : []),
        ...(!running && forRuntime.length > 0
          ? [`${record.name} is not running: the change takes effect when it next starts`]
          : []),
      ];
  const plan: ChangePlan = {
    operation: "change",
    workload: record.name,
    changes,
    unchanged,
    restart,
    disruptive: restart || removed.length > 0,
    removes,
    keeps,
    notes,
  };
  return { spec, plan, runtime: forRuntime.length > 0, ...(workspaceSize ? { workspaceSize } : {}), live, running };
}

/**
 * A new workspace size: the storage driver must be able to change it in place, and it may not
 * be below what the workspace holds now (that would leave it over its limit, and every write
 * would fail). The owner's disk quota is `checkQuotas`'s. Undefined when the size is unchanged.
 */
async function checkWorkspaceResize(
  context: CoreContext,
  record: WorkloadRecord,
  spec: WorkloadSpec,
): Promise<{ before: number | null; after: number | null } | undefined> {
  if (
    record.spec.kind !== "container" ||
    spec.kind !== "container" ||
    !record.spec.workspace.enabled ||
    !spec.workspace.enabled
  )
    return undefined;
  const before = record.spec.workspace.sizeBytes ?? null;
  const after = spec.workspace.sizeBytes ?? null;
  if (before === after) return undefined;
  const { storage } = context.deps;
  if (!storage.resizeWorkspace) {
    throw new InvalidInputError([
      {
        path: "workspaceSize",
        message: `The ${storage.info().name} storage driver has no workspace size limits to change; "${record.name}" was left as it is.`,
      },
    ]);
  }
  if (after !== null) {
    const used = (await storage.workspaceUsage(userStorageKey(record.owner), record.name)).usedBytes;
    if (after < used) {
      throw new InvalidInputError([
        {
          path: "workspaceSize",
          message: `The workspace of ${record.name} already holds ${formatSize(used)}, more than ${formatSize(after)}; choose at least ${formatSize(used)} or delete files first. Nothing was changed.`,
        },
      ]);
    }
  }
  return { before, after };
}

/** The plan's steps, in words. */
export function changeSteps(plan: ChangePlan): string[] {
  if (plan.unchanged) return [`nothing: ${plan.workload} already has that`];
  const onlyWorkspace = runtimeChanges(plan.changes).length === 0;
  return [
    ...plan.changes.map((change) => `${change.field}: ${change.before} → ${change.after}`),
    ...(plan.changes.length > runtimeChanges(plan.changes).length
      ? [`change the size limit of the workspace of ${plan.workload} in place`]
      : []),
    ...(onlyWorkspace
      ? []
      : [
          plan.restart
            ? `restart ${plan.workload} with the new settings`
            : plan.notes.some((note) => note.startsWith("applied while"))
              ? `apply the new limits while ${plan.workload} runs`
              : `record the new settings for its next start`,
        ]),
    `keep ${plan.keeps.join(" and ")}`,
  ];
}

function startChangeJob(
  services: CoreServices,
  actor: Actor,
  record: WorkloadRecord,
  prepared: PreparedChange,
  onSettled: (jobId: string | undefined, error?: unknown) => void,
): JobOf<"change"> {
  return services.jobs.start({
    onSettled,
    kind: "change",
    workload: record.name,
    owner: record.owner,
    work: (job) => applyChange(services.context, actor, record, prepared, job),
  });
}

/** Applies the new spec on the host, rolling back to the old one on failure; records it after success. */
async function applyChange(
  context: CoreContext,
  actor: Actor,
  record: WorkloadRecord,
  prepared: PreparedChange,
  job: JobContext,
): Promise<ChangeResult> {
  const runtime = runtimeForWorkload(context.deps.runtimes, record);
  const apply = runtime.change?.bind(runtime);
  if (prepared.runtime && !apply)
    throw new HostFailureError(
      `The ${runtime.info().name} runtime can no longer change workloads; nothing was changed.`,
    );
  const startedAt = context.deps.clock.now();
  const host = await prepareHost(context, record, job.progress);
  const reverter = new Reverter();
  const userKey = userStorageKey(record.owner);
  const resize = prepared.workspaceSize;
  const { storage } = context.deps;
  try {
    if (resize && storage.resizeWorkspace) {
      // Checked again here: files may have been written since the plan.
      if (resize.after !== null) {
        const used = (await storage.workspaceUsage(userKey, record.name)).usedBytes;
        if (resize.after < used)
          throw new InvalidInputError([
            {
              path: "workspaceSize",
              message: `The workspace of ${record.name} now holds ${formatSize(used)}, more than ${formatSize(resize.after)}; nothing was changed.`,
            },
          ]);
      }
      job.progress({
        type: "step",
        step: "installing",
        message: `Changing the workspace size of ${record.name} to ${resize.after === null ? "no limit" : formatSize(resize.after)}`,
      });
      reverter.add(`the previous workspace size of ${record.name}`, () =>
        storage.resizeWorkspace!(userKey, record.name, resize.before),
      );
      await storage.resizeWorkspace(userKey, record.name, resize.after);
    }
    if (prepared.runtime && apply) {
      // Registered before the call: a failed apply may have applied part of the new spec already.
      reverter.add(`the previous settings of ${record.name}`, async () => {
        await apply(record.name as never, record.spec, { ...host, previous: prepared.spec, live: prepared.live });
        // A failed restart leaves it stopped, and applying to a stopped workload does not start it.
        if (prepared.running) await runtime.start(record.name as never, host);
      });
      job.progress({ type: "step", step: "installing", message: `Applying the new settings to ${record.name}` });
      await apply(record.name as never, prepared.spec, { ...host, previous: record.spec, live: prepared.live });
    }
  } catch (error) {
    // Refused before anything was applied (the workspace grew past the new size meanwhile).
    if (error instanceof InvalidInputError) throw error;
    job.progress({ type: "step", step: "restoring", message: `Rolling ${record.name} back to its previous settings` });
    const kept = await reverter.revert();
    throw rolledBack(record.name, error, kept);
  }
  reverter.success();
  context.repos.workloads.updateSpec(record.name, prepared.spec, context.deps.clock.now());
  recordAudit(context, {
    actor: String(actor.userId),
    operation: "change",
    target: record.name,
    args: { applied: prepared.plan.changes, restarted: prepared.plan.restart },
    durationMs: context.deps.clock.now().getTime() - startedAt.getTime(),
    startedAt,
    jobId: job.id,
  });
  job.progress({ type: "step", step: "done", message: `${record.name} has its new settings` });
  return {
    operation: "change",
    workload: record.name,
    changes: prepared.plan.changes,
    restarted: prepared.plan.restart,
    view: await currentView(context, record.name),
    warnings: [],
  };
}

/** The apply's error, saying whether the workload is back on its previous settings. */
function rolledBack(name: string, error: unknown, kept: readonly string[]): Error {
  const outcome =
    kept.length === 0
      ? `${name} was rolled back to its previous settings.`
      : `Rolling back failed too, so ${name} may be left half-changed: ${kept.join("; ")}.`;
  const message = error instanceof Error ? error.message.replace(/\.?$/, ".") : "The change failed.";
  if (error instanceof TimeoutError)
    return new TimeoutError(`${message} ${outcome}`, error.timeoutMs, { cause: error });
  if (error instanceof HostFailureError)
    return new HostFailureError(`${message} ${outcome}`, error.detail, { cause: error });
  if (VoxnixError.isInstance(error)) return new HostFailureError(`${message} ${outcome}`, undefined, { cause: error });
  return new HostFailureError(
    `Changing ${name} failed. ${outcome}`,
    error instanceof Error ? error.message : String(error),
    { cause: error },
  );
}
