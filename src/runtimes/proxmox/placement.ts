/**
 * Which node a new VM goes to. Nodes come from the same `/cluster/resources` answer as the
 * guests (`type` = `node`, `status` = `online` | `offline` | `unknown`, `maxmem`/`mem` in
 * bytes; pve-manager `PVE/API2/Cluster.pm`). A node that is not online or not in the admin's
 * allow-list is skipped, and so is one without room for the VM's memory. Among the rest:
 * `most-free-memory` picks the node with the most free memory (ties by name, so the choice is
 * stable), `node-order` the first in the admin's `proxmox.nodes` order. Pure: no I/O.
 *
 * @module
 */
import { formatSize } from "../../domain/sizes.js";
import { HostFailureError } from "../../domain/errors.js";
import type { ClusterResource } from "./schemas.js";

export type PlacementStrategy = "most-free-memory" | "node-order";

export interface PlacementRequest {
  readonly memoryBytes: number;
  /** Allowed node names, in the admin's order; empty allows every node. */
  readonly allowedNodes: readonly string[];
  readonly strategy: PlacementStrategy;
}

/** A node that could not take the VM, and why (shown when no node can). */
export interface SkippedNode {
  readonly node: string;
  readonly reason: string;
}

export interface Placement {
  readonly node: string;
  readonly skipped: readonly SkippedNode[];
}

/** Picks a node for a VM, or throws `HostFailureError` listing why each node was skipped. */
export function choosePlacement(resources: readonly ClusterResource[], request: PlacementRequest): Placement {
  const nodes = resources.filter((resource) => resource.type === "node" && resource.node !== undefined);
  const skipped: SkippedNode[] = [];
  const candidates: { node: string; free: number }[] = [];
  for (const resource of nodes) {
    const node = resource.node!;
    if (request.allowedNodes.length > 0 && !request.allowedNodes.includes(node)) {
      skipped.push({ node, reason: "not in proxmox.nodes" });
      continue;
    }
    if (resource.status !== "online") {
      skipped.push({ node, reason: resource.status ?? "status unknown" });
      continue;
    }
    const free = Math.max(0, (resource.maxmem ?? 0) - (resource.mem ?? 0));
    if (free < request.memoryBytes) {
      skipped.push({ node, reason: `${formatSize(free)} free, needs ${formatSize(request.memoryBytes)}` });
      continue;
    }
    candidates.push({ node, free });
  }
  for (const wanted of request.allowedNodes) {
    if (!nodes.some((resource) => resource.node === wanted))
      skipped.push({ node: wanted, reason: "not in the cluster" });
  }
  if (candidates.length === 0) {
    const why = skipped.map((entry) => `${entry.node}: ${entry.reason}`).join("; ") || "the cluster reported no nodes";
    throw new HostFailureError(
      `No Proxmox node can take a VM with ${formatSize(request.memoryBytes)} of memory right now.`,
      why,
    );
  }
  const order = (node: string) => request.allowedNodes.indexOf(node);
  candidates.sort((a, b) =>
    request.strategy === "node-order" && request.allowedNodes.length > 0
      ? order(a.node) - order(b.node)
      : b.free - a.free || a.node.localeCompare(b.node),
  );
  return { node: candidates[0]!.node, skipped };
}
