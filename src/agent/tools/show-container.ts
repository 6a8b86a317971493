/**
 * `show_container`: details of one container (state, addresses, resources, storage).
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { isImportedVm } from "../../core/api.js";
import { guard } from "./result.js";
import { workloadNameInput } from "./workload-name.js";

/** Builds the tool for one message's context. */
export function showContainerTool(context: ChatContext) {
  return tool({
    description: "Show details and status of one of the person's containers.",
    inputSchema: workloadNameInput,
    execute: ({ name }) =>
      guard(context.turn, async () => {
        const details = await context.turn.call(
          "show",
          { name },
          () => context.core.show(context.actor, name),
          (value) => ({ status: isImportedVm(value) ? "imported" : value.status, live: value.live }),
        );
        context.turn.say(replies.describeDetails(details));
        if (isImportedVm(details)) {
          return {
            name: details.name,
            importedVm: true,
            vmid: details.vmid,
            live: details.live,
            addresses: details.addresses,
            allowPowerControl: details.allowPowerControl,
          };
        }
        return {
          name: details.name,
          status: details.status,
          live: details.live,
          modules: details.spec.modules,
          cpus: details.spec.resources.cpus,
          memoryBytes: details.spec.resources.memoryBytes,
          addresses: details.addresses,
          ...(details.remoteAccess ? { remoteAccess: details.remoteAccess } : {}),
          ...(details.storage ? { storage: details.storage } : {}),
        };
      }),
  });
}
