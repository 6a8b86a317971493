/**
 * Proxmox task ids (UPIDs). Every asynchronous API call answers with one, and the node that
 * runs the task is inside it: `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`
 * with pid, pstart and starttime as 8-digit upper-case hex (`PVE::Tools::upid_encode` in
 * pve-common; the task endpoints live under `/nodes/{node}/tasks/{upid}` in pve-manager's
 * `PVE/API2/Tasks.pm`).
 *
 * @module
 */

/** A parsed UPID. */
export interface Upid {
  readonly raw: string;
  readonly node: string;
  /** Task type, e.g. `qmclone`, `qmstart`, `qmdestroy`. */
  readonly type: string;
  /** The object the task works on (a VMID for guest tasks; may be empty). */
  readonly id: string;
  readonly user: string;
  /** Start time, seconds since the epoch. */
  readonly startTime: number;
}

const UPID_PATTERN =
  /^UPID:([A-Za-z0-9][A-Za-z0-9.-]*):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

/** Parses a UPID, or returns undefined when `text` is not one. */
export function parseUpid(text: string): Upid | undefined {
  const match = UPID_PATTERN.exec(text);
  if (!match) return undefined;
  const [, node = "", , , start = "0", type = "", id = "", user = ""] = match;
  return { raw: text, node, type, id, user, startTime: Number.parseInt(start, 16) };
}

/** Builds a UPID in Proxmox's encoding (used by the fake server; here so both sides agree). */
export function formatUpid(parts: {
  node: string;
  pid: number;
  pstart: number;
  startTime: number;
  type: string;
  id: string;
  user: string;
}): string {
  const hex = (value: number) => value.toString(16).toUpperCase().padStart(8, "0");
  return `UPID:${parts.node}:${hex(parts.pid)}:${hex(parts.pstart)}:${hex(parts.startTime)}:${parts.type}:${parts.id}:${parts.user}:`;
}
