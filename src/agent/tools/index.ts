/**
 * The model's tool set: one thin tool per core operation, built per message so each tool is
 * bound to that message's actor and turn. There is no confirm tool and no owner argument.
 *
 * @module
 */
import type { ChatContext } from "../chat-context.js";
import type { Turn } from "../turn.js";
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

/**
 * Builds every tool for one message. The AI SDK starts one step's tool calls together (in the
 * order the model made them); each tool here waits for the ones before it (`Turn.inOrder`),
 * so "stop web and delete dev" stops web before it plans the destroy.
 */
export function createTools(context: ChatContext) {
  const ordered = <T extends { execute?: unknown }>(built: T): T => inCallOrder(context.turn, built);
  return {
    create_container: ordered(createContainerTool(context)),
    start_container: ordered(startContainerTool(context)),
    stop_container: ordered(stopContainerTool(context)),
    restart_container: ordered(restartContainerTool(context)),
    destroy_container: ordered(destroyContainerTool(context)),
    restore_container: ordered(restoreContainerTool(context)),
    list_containers: ordered(listContainersTool(context)),
    show_container: ordered(showContainerTool(context)),
    container_logs: ordered(containerLogsTool(context)),
    storage_usage: ordered(storageUsageTool(context)),
    change_workload: ordered(changeWorkloadTool(context)),
  };
}

/** `built` with its `execute` run through `turn.inOrder` (every tool here returns a promise, none streams). */
function inCallOrder<T extends { execute?: unknown }>(turn: Turn, built: T): T {
  const execute = built.execute as ((...args: unknown[]) => Promise<unknown>) | undefined;
  if (execute === undefined) return built;
  return { ...built, execute: (...args: unknown[]) => turn.inOrder(() => execute.apply(built, args)) };
}

/** The tool names, for tests and the token count. */
export type ToolName = keyof ReturnType<typeof createTools>;
