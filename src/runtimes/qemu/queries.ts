/**
 * What the QEMU runtime reports without changing anything: the VMs on this host, one VM's
 * details, its console log, and its root disk's allocation. All read voxnix's own files
 * (`vm.json`, the pid file) and never follow a link; the overlay's allocation is the storage
 * port's to measure.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { isWorkloadName, type WorkloadName } from "../../domain/names.js";
import { formatSize } from "../../domain/sizes.js";
import type { DiskVolumes } from "../../ports/disk-volumes.js";
import type { LiveContainer, Runtime } from "../../ports/runtime.js";
import { consoleLines, drainConsole, readLogTail } from "./console-log.js";
import { vmPaths, type QemuPaths } from "./paths.js";
import { residentBytes, runningPid, startedAt } from "./process.js";
import { existingVm, readRecord } from "./record.js";

export type VmQueries = Pick<Runtime, "list" | "show" | "logs" | "rootDiskUsage">;

/** The queries over `paths`; `disks` answers the storage's disk volumes, which measure the overlays. */
export function vmQueries(paths: QemuPaths, disks: () => DiskVolumes): VmQueries {
  const existing = (name: WorkloadName) => existingVm(paths, name);
  return {
    async list() {
      if (!existsSync(paths.machines)) return [];
      const found: LiveContainer[] = [];
      for (const name of readdirSync(paths.machines).sort()) {
        if (!isWorkloadName(name)) continue;
        const files = vmPaths(paths, name);
        if (!existsSync(files.metadata)) continue;
        const running = runningPid(files) !== undefined;
        found.push({
          name,
          state: running ? (existsSync(files.stopping) ? "stopping" : "running") : "stopped",
          addresses: running ? ["127.0.0.1"] : [],
        });
      }
      return found;
    },

    async show(name) {
      const files = vmPaths(paths, name);
      const record = readRecord(files);
      if (record === undefined) return undefined;
      const pid = runningPid(files);
      const rss = pid === undefined ? undefined : residentBytes(pid);
      const since = pid === undefined ? undefined : startedAt(pid);
      return {
        name,
        state: pid === undefined ? "stopped" : existsSync(files.stopping) ? "stopping" : "running",
        addresses: pid === undefined ? [] : ["127.0.0.1"],
        ...(since === undefined ? {} : { since }),
        facts: {
          runtime: "qemu",
          accelerator: record.accelerator,
          "accelerator reason": record.acceleratorReason,
          cpus: String(record.spec.cpus),
          memory: formatSize(record.spec.memoryBytes),
          disk: formatSize(record.spec.diskBytes),
          workspace: formatSize(record.spec.workspaceBytes),
          ssh: `127.0.0.1:${record.sshPort}`,
          ...(pid === undefined ? {} : { pid: String(pid) }),
          ...(rss === undefined ? {} : { "host memory": formatSize(rss) }),
        },
      };
    },

    async logs(name, options) {
      const { files } = existing(name);
      if (runningPid(files) !== undefined) await drainConsole(files.qmpSocket, files.console).catch(() => undefined);
      return consoleLines(readLogTail(files.console), options.lines).map((message) => ({ unit: "console", message }));
    },

    async rootDiskUsage(names) {
      const usage = new Map<string, number>();
      for (const name of names) {
        // Blocks, not size: the overlay's apparent size is large and sparse, its allocation is
        // what it costs. No overlay (never created, or already destroyed): nothing allocated.
        const bytes = await disks().usage(vmPaths(paths, name).overlay);
        if (bytes > 0) usage.set(name, bytes);
      }
      return usage;
    },
  };
}
