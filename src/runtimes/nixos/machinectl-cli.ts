/**
 * Parsers for the machine-readable output the nixos backend reads: `machinectl list
 * --output=json`, `machinectl show` (key=value), `journalctl -o json` and `tailscale status
 * --json`, plus the `nixos-container` argv builders. Parsers never throw on odd input; they
 * skip what they cannot read.
 *
 * @module
 */
import type { LiveContainer, LiveState, LogEntry } from "../../ports/runtime.js";

/** The program names; resolved through PATH by the runner. */
export const MACHINECTL = "machinectl";
export const NIXOS_CONTAINER = "nixos-container";
export const JOURNALCTL = "journalctl";

/** `nixos-container run <name> -- <argv…>`. */
export function runInContainerArgs(name: string, argv: readonly string[]): string[] {
  return ["run", name, "--", ...argv];
}

/** Maps a machined state to a live state (`opening` → starting, `closing` → stopping). */
export function machineState(state: string | undefined): LiveState {
  switch (state) {
    case undefined:
    case "running":
    case "degraded":
      return "running";
    case "opening":
      return "starting";
    case "closing":
      return "stopping";
    default:
      return "unknown";
  }
}

/**
 * Parses `machinectl list --output=json`: an array of `{ machine, class, service, os,
 * version, addresses }` where `addresses` is a newline-separated string (or null). Only
 * `class: "container"` entries are kept. Returns undefined when the text is not a JSON array.
 */
export function parseMachineList(stdout: string): LiveContainer[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim() === "" ? "[]" : stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const machines: LiveContainer[] = [];
  for (const entry of parsed as unknown[]) {
    if (!isRecord(entry) || typeof entry.machine !== "string") continue;
    if (typeof entry.class === "string" && entry.class !== "container") continue;
    machines.push({
      name: entry.machine,
      state: machineState(typeof entry.state === "string" ? entry.state : undefined),
      addresses: splitAddresses(entry.addresses),
    });
  }
  return machines;
}

function splitAddresses(value: unknown): string[] {
  if (typeof value === "string")
    return value
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

/** Parses `machinectl show` output (`Key=Value` lines) into a map; the first `=` splits. */
export function parseKeyValues(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const index = line.indexOf("=");
    if (index <= 0) continue;
    values.set(line.slice(0, index).trim(), line.slice(index + 1).trim());
  }
  return values;
}

/**
 * Parses a systemd timestamp such as `Sat 2026-11-21 20:00:00 UTC`. Only UTC (and GMT) are
 * read exactly; other zone abbreviations are ambiguous and give undefined.
 */
export function parseSystemdTimestamp(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? (UTC|GMT)$/.exec(value.trim());
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Parses `journalctl -o json` (one JSON object per line). `MESSAGE` is a string, an array of
 * bytes (when not valid UTF-8 or binary) or null; `__REALTIME_TIMESTAMP` is microseconds since
 * the epoch as a string.
 */
export function parseJournal(stdout: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim().length === 0) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(record)) continue;
    const message = journalMessage(record.MESSAGE);
    if (message === undefined) continue;
    const time = journalTime(record.__REALTIME_TIMESTAMP);
    const unit = typeof record._SYSTEMD_UNIT === "string" ? record._SYSTEMD_UNIT : undefined;
    entries.push({ message, ...(time ? { time } : {}), ...(unit ? { unit } : {}) });
  }
  return entries;
}

function journalMessage(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (
    Array.isArray(value) &&
    value.every((byte) => Number.isInteger(byte) && (byte as number) >= 0 && (byte as number) <= 255)
  ) {
    return Buffer.from(value as number[]).toString("utf8");
  }
  return undefined;
}

function journalTime(value: unknown): Date | undefined {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return undefined;
  return new Date(Number(BigInt(value) / 1000n));
}

/** What `tailscale status --json` says about this node. */
export interface TailscaleSelf {
  readonly ip?: string;
  readonly hostname?: string;
  readonly state: string;
}

/** Parses `tailscale status --json`: `BackendState`, `Self.TailscaleIPs[0]`, `Self.DNSName`. */
export function parseTailscaleStatus(stdout: string): TailscaleSelf | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const state = typeof parsed.BackendState === "string" ? parsed.BackendState : "unknown";
  const self = isRecord(parsed.Self) ? parsed.Self : {};
  const ips = Array.isArray(self.TailscaleIPs)
    ? self.TailscaleIPs.filter((ip): ip is string => typeof ip === "string")
    : [];
  const dnsName = typeof self.DNSName === "string" ? self.DNSName.replace(/\.+$/, "") : "";
  const hostName = typeof self.HostName === "string" ? self.HostName : "";
  const hostname = dnsName || hostName;
  return { state, ...(ips[0] ? { ip: ips[0] } : {}), ...(hostname ? { hostname } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
