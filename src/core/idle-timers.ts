/**
 * The core's side of "stop what nobody uses": recording activity (exec, sessions, terminal
 * input, forwards, keep, start), the view `show` reports, and one round of the timers that
 * warns owners and stops what has been idle too long. The rules themselves are pure
 * (`domain/idle.ts`); this module reads and writes the timers and calls the usual stop.
 *
 * Activity is recorded by core operations, never by adapters: an adapter that opens a
 * session or types into a shell goes through the core, and the core notes it here.
 *
 * @module
 */
import type { ActivityKind, IdleSettings } from "../domain/idle.js";
import { clockTime, effectiveTimeout, formatDuration, idleStep, stopTime } from "../domain/idle.js";
import type { Actor } from "../domain/identity.js";
import type { StoredUser } from "../state/users-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { IdleNotice, IdleTickReport, IdleView } from "./api.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { toVoxnixError } from "./errors.js";
import type { CoreServices } from "./services.js";

/** Input (keystrokes) is noted at most this often per workload; an open or an exec always is. */
export const INPUT_ACTIVITY_INTERVAL_MS = 15_000;

/** Who runs idle stops in the audit log: the appliance itself, with the local admin's rights. */
export const IDLE_ACTOR: Actor = { userId: "local:admin" };

const NO_IDLE: IdleSettings = { defaultTimeoutMs: 0, warnBeforeMs: 10 * 60_000 };

/** The idle settings in force. */
export function idleSettings(context: CoreContext): IdleSettings {
  return context.deps.policy.idle ?? NO_IDLE;
}

/** Notes activity on workloads; keystrokes are thinned out so typing does not write the database on every key. */
export class ActivityRecorder {
  readonly #context: CoreContext;
  readonly #lastInput = new Map<string, number>();
  readonly #onWarningCleared: () => void;

  /** `onWarningCleared` is told when activity ends a pending warning (the live view drops its banner). */
  constructor(context: CoreContext, onWarningCleared: () => void = () => undefined) {
    this.#context = context;
    this.#onWarningCleared = onWarningCleared;
  }

  /** Records `kind` on workload `name` now (a workload that is gone is ignored). */
  record(name: string, kind: ActivityKind): void {
    const { repos, deps } = this.#context;
    try {
      if (!repos.workloads.get(name)) return;
      const warned = repos.idleTimers.get(name)?.warnedAt !== undefined;
      repos.idleTimers.recordActivity(name, kind, deps.clock.now());
      if (warned) this.#onWarningCleared();
    } catch (error) {
      deps.logger.warn({ err: error, workload: name, kind }, "could not record activity");
    }
  }

  /** Records input typed into a session: at most once per `INPUT_ACTIVITY_INTERVAL_MS`, unless a warning is pending. */
  input(name: string, kind: ActivityKind): void {
    const now = this.#context.deps.clock.now().getTime();
    const last = this.#lastInput.get(name);
    if (
      last !== undefined &&
      now - last < INPUT_ACTIVITY_INTERVAL_MS &&
      this.#context.repos.idleTimers.get(name)?.warnedAt === undefined
    )
      return;
    this.#lastInput.set(name, now);
    this.record(name, kind);
  }
}

/** The workload's last activity: the recorded one, else its last change (a create or start before timers existed). */
function lastActivity(context: CoreContext, record: WorkloadRecord): { at: Date; kind: ActivityKind } {
  const timer = context.repos.idleTimers.get(record.name);
  return timer ? { at: timer.lastActivityAt, kind: timer.lastActivityKind } : { at: record.updatedAt, kind: "start" };
}

/** The timeout that applies to `record` owned by `owner`. */
export function timeoutFor(
  context: CoreContext,
  record: WorkloadRecord,
  owner: StoredUser | undefined,
): ReturnType<typeof effectiveTimeout> {
  const own = context.repos.idleTimers.get(record.name)?.timeout;
  return effectiveTimeout(own, idleSettings(context).defaultTimeoutMs, owner?.limits.maxIdleTimeoutMs);
}

/** What `show` says about the workload's timer. */
export function idleView(context: CoreContext, record: WorkloadRecord): IdleView {
  const settings = idleSettings(context);
  const owner = context.repos.users.get(record.owner);
  const { timeoutMs, source } = timeoutFor(context, record, owner);
  const timer = context.repos.idleTimers.get(record.name);
  const activity = lastActivity(context, record);
  const zone = settings.workingHours?.timeZone;
  const running = record.status === "ready" && record.desired === "running";
  const stopsAt = running
    ? stopTime(
        { lastActivityAt: activity.at, ...(timer?.warnedAt ? { warnedAt: timer.warnedAt } : {}) },
        timeoutMs,
        settings,
      )
    : undefined;
  const hours = settings.workingHours;
  const workingHours = hours
    ? `${minuteText(hours.startMinute)}-${minuteText(hours.endMinute)} ${hours.timeZone}`
    : undefined;
  const last = `last activity ${clockTime(activity.at, zone)} ${activity.kind}`;
  let summary: string;
  if (timer?.stoppedAt && record.desired === "stopped")
    summary = `stopped for idleness at ${clockTime(timer.stoppedAt, zone)}; starts again when you connect over SSH or ask`;
  else if (timeoutMs === 0) summary = `never stopped for idleness (${last})`;
  else if (!stopsAt) summary = `stops after ${formatDuration(timeoutMs)} without activity once running`;
  else
    summary = `stops at ${clockTime(stopsAt, zone)} if idle (timeout ${formatDuration(timeoutMs)}${source === "user maximum" ? ", your maximum" : ""}, ${last}${workingHours ? `; never during working hours ${workingHours}` : ""})`;
  return {
    timeoutMs,
    source,
    lastActivity: activity,
    ...(stopsAt ? { stopsAt } : {}),
    ...(timer?.warnedAt ? { warnedAt: timer.warnedAt } : {}),
    ...(timer?.stoppedAt ? { stoppedForIdleAt: timer.stoppedAt } : {}),
    ...(workingHours ? { workingHours } : {}),
    summary,
  };
}

function minuteText(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** What the owner should be told now (a pending warning, or an idle stop), for the dashboard's banner. */
export function idleNotice(context: CoreContext, record: WorkloadRecord): IdleNotice | undefined {
  if (record.status !== "ready") return undefined;
  const timer = context.repos.idleTimers.get(record.name);
  if (!timer) return undefined;
  if (record.desired === "stopped") return timer.stoppedAt ? { type: "stopped", at: timer.stoppedAt } : undefined;
  if (!timer.warnedAt) return undefined;
  const stopsAt = idleView(context, record).stopsAt;
  return stopsAt ? { type: "warning", stopsAt } : undefined;
}

/** True when the timer stopped `record` and nobody has started it since. */
export function stoppedForIdleness(context: CoreContext, record: WorkloadRecord): boolean {
  return (
    record.status === "ready" &&
    record.desired === "stopped" &&
    context.repos.idleTimers.get(record.name)?.stoppedAt !== undefined
  );
}

/**
 * One round of the timers over every running workload: warn (once per idle period) and stop
 * (an ordinary `stop` through the operation path, audited with reason "idle"). A workload
 * that fails is reported and tried again next round.
 */
export async function runIdleTick(
  services: CoreServices,
  stop: (name: string) => Promise<unknown>,
): Promise<IdleTickReport> {
  const { context } = services;
  await services.ready;
  const { repos, deps } = context;
  const settings = idleSettings(context);
  const warned: string[] = [];
  const stopped: string[] = [];
  const failed: { workload: string; reason: string }[] = [];
  for (const record of repos.workloads.listAll()) {
    if (record.status !== "ready" || record.desired !== "running") continue;
    const owner = repos.users.get(record.owner);
    const { timeoutMs } = timeoutFor(context, record, owner);
    if (timeoutMs === 0) continue;
    const timer = repos.idleTimers.get(record.name);
    const activity = lastActivity(context, record);
    const now = deps.clock.now();
    const step = idleStep(
      { lastActivityAt: activity.at, ...(timer?.warnedAt ? { warnedAt: timer.warnedAt } : {}) },
      timeoutMs,
      settings,
      now,
    );
    try {
      if (step.type === "warn") {
        if (!timer) repos.idleTimers.recordActivity(record.name, activity.kind, activity.at);
        repos.idleTimers.markWarned(record.name, now);
        // The live view (the dashboard's banner) shows the warning at once.
        services.changes.notify();
        recordAudit(context, {
          actor: IDLE_ACTOR.userId,
          operation: "idleWarning",
          target: record.name,
          args: { name: record.name, owner: record.owner, stopsAt: step.stopsAt.toISOString(), timeoutMs },
          durationMs: 0,
          startedAt: now,
        });
        warned.push(record.name);
        const inMs = step.stopsAt.getTime() - now.getTime();
        const zone = settings.workingHours?.timeZone;
        await deps.notifier?.notify({
          type: "idle-warning",
          user: record.owner,
          workload: record.name,
          stopsAt: step.stopsAt,
          inMs,
          ...(zone ? { timeZone: zone } : {}),
        });
      } else if (step.type === "stop") {
        await stop(record.name);
        repos.idleTimers.markStopped(record.name, deps.clock.now());
        stopped.push(record.name);
        await deps.notifier?.notify({
          type: "idle-stop",
          user: record.owner,
          workload: record.name,
          idleForMs: now.getTime() - activity.at.getTime(),
        });
      }
    } catch (error) {
      const failure = toVoxnixError(error);
      deps.logger.warn(
        { err: failure, workload: record.name, step: step.type },
        "idle timer: could not act; trying again next round",
      );
      failed.push({ workload: record.name, reason: failure.message });
    }
  }
  if (warned.length > 0 || stopped.length > 0) deps.logger.info({ event: "idle", warned, stopped }, "idle timers");
  return { warned, stopped, failed };
}
