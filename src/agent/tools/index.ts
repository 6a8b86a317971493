/**
 * The model's tool set: one thin tool per core operation, built per message so each tool is
 * bound to that message's actor and turn. There is no confirm tool and no owner argument.
 *
 * @module
 */
import type { ChatContext } from "../chat-context.js";
import { createContainerTool } from "./create-container.js";
import { startContainerTool } from "./start-container.js";
import { stopContainerTool } from "./stop-container.js";
import { restartContainerTool } from "./restart-container.js";
import { destroyContainerTool } from "./destroy-container.js";
import { restoreContainerTool } from "./restore-container.js";
import { listContainersTool } from "./list-containers.js";
import { showContainerTool } from "./show-container.js";
import { containerLogsTool } from "./container-logs.js";
import { storageUsageTool } from "./storage-usage.js";
import { changeWorkloadTool } from "./change-workload.js";

/** Builds every tool for one message. */
export function createTools(context: ChatContext) {
  return {
    create_container: createContainerTool(context),
    start_container: startContainerTool(context),
    stop_container: stopContainerTool(context),
    restart_container: restartContainerTool(context),
    destroy_container: destroyContainerTool(context),
    restore_container: restoreContainerTool(context),
    list_containers: listContainersTool(context),
    show_container: showContainerTool(context),
    container_logs: containerLogsTool(context),
    storage_usage: storageUsageTool(context),
    change_workload: changeWorkloadTool(context),
  };
}

/** The tool names, for tests and the token count. */
export type ToolName = keyof ReturnType<typeof createTools>;
