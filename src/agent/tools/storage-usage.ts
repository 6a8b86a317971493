/**
 * `storage_usage`: the person's disk usage, quota, workspaces and restorable snapshots.
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { EMPTY_INPUT, guard } from "./result.js";

/** Builds the tool for one message's context. */
export function storageUsageTool(context: ChatContext) {
  return tool({
    description: "The person's disk usage, quota and restorable snapshots.",
    inputSchema: EMPTY_INPUT,
    execute: () =>
      guard(context.turn, async () => {
        const report = await context.turn.call(
          "storage",
          {},
          () => context.core.storage(context.actor),
          (value) => ({ usedBytes: value.usage.usedBytes }),
        );
        context.turn.say(replies.describeStorage(report));
        return {
          usedBytes: report.usage.usedBytes,
          quotaBytes: report.usage.quotaBytes,
          workspaces: report.workspaces.map((workspace) => ({
            name: workspace.workload,
            usedBytes: workspace.usage.usedBytes,
          })),
          restorable: report.snapshots.map((snapshot) => ({
            name: snapshot.workload,
            until: snapshot.expiresAt.toISOString(),
          })),
        };
      }),
  });
}
