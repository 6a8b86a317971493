/**
 * `list_containers`: the person's containers with state and modules.
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { EMPTY_INPUT, guard } from "./result.js";

/** Builds the tool for one message's context. */
export function listContainersTool(context: ChatContext) {
  return tool({
    description: "List the person's containers (fresh state).",
    inputSchema: EMPTY_INPUT,
    execute: () =>
      guard(context.turn, async () => {
        const result = await context.turn.call(
          "list",
          {},
          () => context.core.list(context.actor),
          (value) => ({ workloads: value.workloads.map((workload) => workload.name) }),
        );
        context.turn.say(replies.describeList(result));
        return {
          containers: result.workloads.map((workload) => ({
            name: workload.name,
            status: workload.status,
            live: workload.live,
            modules: workload.spec.modules,
            addresses: workload.addresses,
          })),
          ...(result.imported
            ? { importedReadOnly: result.imported.map((vm) => ({ name: vm.name, vmid: vm.vmid, live: vm.live })) }
            : {}),
        };
      }),
  });
}
