/**
 * The rules of "stop what nobody uses", as pure functions of recorded facts and a time: how
 * long a workload may stay idle (the config default, the owner's own choice, the admin's
 * per-user maximum), when it is warned, when it stops, and how working hours move a stop.
 * No I/O and no clock: the core passes `now` in, so tests move time by hand.
 *
 * The working-hours rule is one sentence: inside working hours nothing is stopped for
 * idleness; a stop that would fall inside them moves to the end of that working day's hours
 * (and its warning moves with it).
 *
 * @module
 */
import { InvalidInputError } from "./errors.js";

/** What counted as activity last; shown by `show` ("last activity 12:05 ssh session"). */
export const ACTIVITY_KINDS = [
  "create",
  "start",
  "exec",
  "ssh session",
  "web terminal",
  "port forward",
  "keep",
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Daily working hours in a time zone, as minutes after local midnight (`end` may be before `start`: overnight). */
export interface WorkingHours {
  readonly startMinute: number;
  readonly endMinute: number;
  /** An IANA time zone such as `Europe/Berlin`. */
  readonly timeZone: string;
}

/** The idle settings from configuration (`idle.*`), in milliseconds. */
export interface IdleSettings {
  /** The default inactivity timeout; 0 means workloads are not stopped for idleness by default. */
  readonly defaultTimeoutMs: number;
  /** How long before the stop the owner is warned. */
  readonly warnBeforeMs: number;
  readonly workingHours?: WorkingHours;
}

/** A workload's own timeout choice: a duration, `off`, or nothing (the default applies). */
export type OwnTimeout = number | "off" | undefined;

/** Where the effective timeout came from. */
export type TimeoutSource = "default" | "workload" | "user maximum";

/** What the recorded timer says: last activity, warning and idle stop. */
export interface IdleTimerFacts {
  readonly lastActivityAt: Date;
  readonly warnedAt?: Date;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Longest timeout anyone may choose (a week: beyond that "off" is the honest setting). */
export const MAX_IDLE_TIMEOUT_MS = 7 * 86_400_000;

/**
 * Parses a duration such as `2h`, `90m`, `1h30m`, `45s` or a plain number of minutes; `0`,
 * `off`, `never` and `none` give 0. Returns undefined for anything else.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 60_000) : undefined;
  const text = value.trim().toLowerCase();
  if (["0", "off", "never", "none", "no"].includes(text)) return 0;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 60_000);
  if (!/^(\d+(\.\d+)?\s*[smhd]\s*)+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)\s*([smhd])/g)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return Math.round(total);
}

/** A duration in the same words `parseDuration` reads: `2h`, `1h30m`, `45s`; `off` for 0. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "off";
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(rest / seconds);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * seconds;
  }
  return parts.join("");
}

/** Parses `HH:MM-HH:MM` into minutes; throws `InvalidInputError` for anything else. */
export function parseWorkingHours(range: string, timeZone: string): WorkingHours {
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(range.trim());
  const issue = (message: string) => new InvalidInputError([{ path: "idle.workingHours", message }]);
  if (!match) throw issue('Working hours look like "08:00-20:00".');
  const startMinute = Number(match[1]) * 60 + Number(match[2]);
  const endMinute = (Number(match[3]) * 60 + Number(match[4])) % 1440;
  if (startMinute === endMinute) throw issue("Working hours must not start and end at the same time.");
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone });
  } catch {
    throw issue(`Unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin).`);
  }
  return { startMinute, endMinute, timeZone };
}

/**
 * The timeout that applies: the workload's own choice, else the default, capped by the
 * owner's maximum (a maximum also applies when the default or the choice is `off`).
 */
export function effectiveTimeout(
  own: OwnTimeout,
  defaultTimeoutMs: number,
  userMaxMs: number | undefined,
): { readonly timeoutMs: number; readonly source: TimeoutSource } {
  const chosen = own === undefined ? defaultTimeoutMs : own === "off" ? 0 : own;
  const source: TimeoutSource = own === undefined ? "default" : "workload";
  if (userMaxMs !== undefined && userMaxMs > 0 && (chosen === 0 || chosen > userMaxMs))
    return { timeoutMs: userMaxMs, source: "user maximum" };
  return { timeoutMs: chosen, source };
}

/** The local minute of the day of `at` in `timeZone`, and the seconds into that minute. */
function localMinute(at: Date, timeZone: string): number {
  const parts = clockFormat(timeZone).formatToParts(at);
  const hour = Number(parts.find((part) => part.type === "hour")?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === "minute")?.value ?? 0);
  return hour * 60 + minute;
}

/** True when `at` falls inside the working hours. */
export function insideWorkingHours(at: Date, hours: WorkingHours): boolean {
  const minute = localMinute(at, hours.timeZone);
  return hours.startMinute < hours.endMinute
    ? minute >= hours.startMinute && minute < hours.endMinute
    : minute >= hours.startMinute || minute < hours.endMinute;
}

/** `at`, or the end of the working hours it falls inside. */
export function outsideWorkingHours(at: Date, hours: WorkingHours | undefined): Date {
  if (!hours || !insideWorkingHours(at, hours)) return at;
  const minute = localMinute(at, hours.timeZone);
  const minutesLeft = (hours.endMinute - minute + 1440) % 1440;
  const intoMinute = at.getUTCSeconds() * 1000 + at.getUTCMilliseconds();
  return new Date(at.getTime() + minutesLeft * 60_000 - intoMinute);
}

/**
 * When the workload stops if nothing happens: its last activity plus the timeout, never
 * sooner than a full warning period after a warning, moved out of working hours. Undefined
 * when the timeout is off.
 */
export function stopTime(facts: IdleTimerFacts, timeoutMs: number, settings: IdleSettings): Date | undefined {
  if (timeoutMs <= 0) return undefined;
  const idleEnd = facts.lastActivityAt.getTime() + timeoutMs;
  const afterWarning = facts.warnedAt ? facts.warnedAt.getTime() + settings.warnBeforeMs : 0;
  return outsideWorkingHours(new Date(Math.max(idleEnd, afterWarning)), settings.workingHours);
}

/** What the idle timer asks for at `now`. */
export type IdleStep =
  | { readonly type: "wait"; readonly stopsAt?: Date }
  /** Warn the owner now; the stop will come at `stopsAt`. */
  | { readonly type: "warn"; readonly stopsAt: Date }
  | { readonly type: "stop" };

/**
 * The timer's decision at `now`. A workload is never stopped without a warning first: a
 * stop due before anyone was warned (say voxnix was down) becomes a warning, and the stop
 * follows a full warning period later.
 */
export function idleStep(facts: IdleTimerFacts, timeoutMs: number, settings: IdleSettings, now: Date): IdleStep {
  const stopsAt = stopTime(facts, timeoutMs, settings);
  if (stopsAt === undefined) return { type: "wait" };
  if (facts.warnedAt === undefined) {
    if (now.getTime() < stopsAt.getTime() - settings.warnBeforeMs) return { type: "wait", stopsAt };
    const warned = stopTime({ ...facts, warnedAt: now }, timeoutMs, settings)!;
    return { type: "warn", stopsAt: warned };
  }
  if (now.getTime() < stopsAt.getTime()) return { type: "wait", stopsAt };
  if (settings.workingHours && insideWorkingHours(now, settings.workingHours))
    return { type: "wait", stopsAt: outsideWorkingHours(now, settings.workingHours) };
  return { type: "stop" };
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (ICU loads the zone
// and the locale each time), and `show`, lists and every chat turn format clock times: one
// formatter per time zone is kept ("" is the host's zone).
const clockFormats = new Map<string, Intl.DateTimeFormat>();
function clockFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let format = clockFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      ...(timeZone ? { timeZone } : {}),
    });
    // Zones come from configuration, so the map stays small; the bound is a guard, not a cache policy.
    if (clockFormats.size < 64) clockFormats.set(key, format);
  }
  return format;
}

/** A clock time `HH:MM` of `at` in `timeZone` (the host's zone when absent). */
export function clockTime(at: Date, timeZone?: string): string {
  return clockFormat(timeZone).format(at);
}
