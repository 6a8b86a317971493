/**
 * A managed VM's journal through the QEMU guest agent: `POST …/agent/exec` with `command` as an
 * array (one form field per element) answers a guest pid; `GET …/agent/exec-status?pid=` answers
 * `exited`, `exitcode` and `out-data` (qemu-server `PVE/API2/Qemu/Agent.pm`). The argv is fixed
 * here, never built from input. The output is the guest's, so it is untrusted text: it is only
 * split into lines, capped, and returned to whoever may read this VM's logs.
 *
 * @module
 */
import { z } from "zod";
import { HostFailureError } from "../../domain/errors.js";
import type { LogEntry } from "../../ports/runtime.js";
import { guestPath, type ProxmoxContext } from "./context.js";
import { lenientInteger } from "./schemas.js";

const execSchema = z.object({ pid: lenientInteger });
const execStatusSchema = z.object({
  exited: z.union([z.boolean(), lenientInteger]).transform((value) => value === true || value === 1),
  exitcode: lenientInteger.optional(),
  "out-data": z.string().optional(),
});

/** How long the journal read may take inside the guest. */
export const JOURNAL_TIMEOUT_MS = 15_000;

/** The last `lines` journal lines of a running VM with a guest agent. */
export async function readJournal(
  context: ProxmoxContext,
  node: string,
  vmid: number,
  lines: number,
): Promise<LogEntry[]> {
  const count = String(Math.max(1, Math.min(lines, 1000)));
  const started = await context.client.post(guestPath(node, vmid, "/agent/exec"), execSchema, {
    command: ["journalctl", "--no-pager", "-o", "short-iso", "-n", count],
  });
  const deadline = Date.now() + JOURNAL_TIMEOUT_MS;
  for (;;) {
    const status = await context.client.get(guestPath(node, vmid, "/agent/exec-status"), execStatusSchema, {
      pid: started.pid,
    });
    if (status.exited) {
      if (status.exitcode !== undefined && status.exitcode !== 0)
        throw new HostFailureError(`journalctl in VM ${vmid} exited with ${status.exitcode}.`);
      return (status["out-data"] ?? "")
        .split("\n")
        .filter((line) => line.length > 0)
        .slice(-Number(count))
        .map((line) => ({ unit: "journal", message: line.slice(0, 4096) }));
    }
    if (Date.now() >= deadline)
      throw new HostFailureError(`Reading the journal of VM ${vmid} took longer than ${JOURNAL_TIMEOUT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, context.pollMs));
  }
}
