/**
 * Waiting for Proxmox tasks. Every call that changes a guest (clone, start, stop, resize,
 * delete, snapshot, vzdump) answers at once with a UPID while a worker on the guest's node does
 * the work. voxnix polls `GET /nodes/{node}/tasks/{upid}/status` until `status` is `stopped`,
 * forwards new lines of `GET /nodes/{node}/tasks/{upid}/log?start=N` as progress, and judges
 * the result from `exitstatus`: `OK` (or `WARNINGS: n`) is success, anything else is the error
 * text (pve-manager `PVE/API2/Tasks.pm`). A failed task's last log lines become the error's
 * detail, since the exit status alone ("clone failed: …") rarely says why. A task that outlives
 * its timeout is asked to stop (`DELETE /nodes/{node}/tasks/{upid}`) and reported as a timeout.
 *
 * @module
 */
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import type { ProxmoxClient } from "./api-client.js";
import { segment } from "./api-client.js";
import { anySchema, taskLogSchema, taskStatusSchema } from "./schemas.js";
import { parseUpid } from "./upid.js";

/** A task that ended with an error; `exitStatus` is Proxmox's own text (e.g. "clone failed: …"). */
export class ProxmoxTaskError extends HostFailureError {
  constructor(
    message: string,
    readonly exitStatus: string,
    readonly logTail: readonly string[],
    detail: string,
  ) {
    super(message, detail);
  }
}

/** How many log lines a failure carries. */
export const TASK_LOG_TAIL_LINES = 12;

export interface TaskWaitOptions {
  /** What the task does, for messages: "clone lab". */
  readonly what: string;
  readonly timeoutMs: number;
  /** Time between status polls (default 1 s). */
  readonly pollMs?: number;
  /** Called with each new task log line. Must not throw. */
  readonly onLogLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Waits until the task `upid` stops; resolves on success, throws `HostFailureError` (with the log tail) or `TimeoutError`. */
export async function waitForTask(client: ProxmoxClient, upid: string, options: TaskWaitOptions): Promise<void> {
  const parsed = parseUpid(upid);
  if (!parsed)
    throw new HostFailureError(
      `Proxmox answered "${options.what}" with something that is not a task id.`,
      "unparseable UPID",
    );
  const base = `/nodes/${segment(parsed.node)}/tasks/${segment(upid)}`;
  const pollMs = options.pollMs ?? 1000;
  const deadline = Date.now() + options.timeoutMs;
  const tail: string[] = [];
  let seen = 0;

  const readNewLines = async () => {
    const answer = await client.call("GET", `${base}/log`, taskLogSchema, { start: seen, limit: 500 });
    for (const line of answer.data) {
      if (line.n <= seen) continue;
      seen = line.n;
      tail.push(line.t);
      if (tail.length > TASK_LOG_TAIL_LINES) tail.shift();
      options.onLogLine?.(line.t);
    }
  };

  for (;;) {
    if (options.signal?.aborted) {
      await client.delete(base, anySchema).catch(() => undefined);
      throw new HostFailureError(
        `Cancelled while Proxmox was about to ${options.what}; the task was asked to stop.`,
        upid,
      );
    }
    const status = await client.get(`${base}/status`, taskStatusSchema);
    await readNewLines().catch(() => undefined);
    if (status.status === "stopped") {
      const exit = status.exitstatus ?? "unknown";
      if (exit === "OK" || exit.startsWith("WARNINGS")) return;
      throw new ProxmoxTaskError(
        `Proxmox could not ${options.what}: ${exit}`,
        exit,
        [...tail],
        [`task ${upid} on ${parsed.node} failed: ${exit}`, ...tail.map((line) => `  ${line}`)].join("\n"),
      );
    }
    if (Date.now() >= deadline) {
      await client.delete(base, anySchema).catch(() => undefined);
      throw new TimeoutError(
        `Proxmox did not ${options.what} within ${Math.round(options.timeoutMs / 1000)} s; the task was asked to stop (node ${parsed.node}).`,
        options.timeoutMs,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}
