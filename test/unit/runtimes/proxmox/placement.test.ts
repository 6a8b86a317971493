/** Node placement: skipped nodes and why, most free memory, node order. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { choosePlacement } from "../../../../src/runtimes/proxmox/placement.js";
import { HostFailureError } from "../../../../src/domain/errors.js";

const GiB = 1024 ** 3;
const node = (name: string, status: string, freeGiB: number) => ({
  id: `node/${name}`,
  type: "node",
  node: name,
  status,
  maxmem: 64 * GiB,
  mem: (64 - freeGiB) * GiB,
});

void describe("choosePlacement", () => {
  const cluster = [
    node("pve1", "online", 10),
    node("pve2", "online", 30),
    node("pve3", "offline", 60),
    node("pve4", "unknown", 60),
    { id: "qemu/100", type: "qemu", vmid: 100, node: "pve2" },
  ];

  void it("picks the online node with the most free memory", () => {
    assert.equal(
      choosePlacement(cluster, { memoryBytes: 2 * GiB, allowedNodes: [], strategy: "most-free-memory" }).node,
      "pve2",
    );
  });

  void it("keeps to the allow-list; node-order takes the first usable node in its order", () => {
    assert.equal(
      choosePlacement(cluster, { memoryBytes: 2 * GiB, allowedNodes: ["pve3", "pve1", "pve2"], strategy: "node-order" })
        .node,
      "pve1",
    );
    assert.equal(
      choosePlacement(cluster, {
        memoryBytes: 2 * GiB,
        allowedNodes: ["pve3", "pve1", "pve2"],
        strategy: "most-free-memory",
      }).node,
      "pve2",
    );
  });

  void it("skips nodes without room", () => {
    assert.equal(
      choosePlacement(cluster, { memoryBytes: 20 * GiB, allowedNodes: ["pve1", "pve2"], strategy: "node-order" }).node,
      "pve2",
    );
  });

  void it("refuses with every node's reason when none can take the VM", () => {
    assert.throws(
      () =>
        choosePlacement(cluster, {
          memoryBytes: 40 * GiB,
          allowedNodes: ["pve1", "pve2", "pve3", "pve9"],
          strategy: "most-free-memory",
        }),
      (error: unknown) =>
        error instanceof HostFailureError &&
        /40G/.test(error.message) &&
        error.detail ===
          "pve1: 10G free, needs 40G; pve2: 30G free, needs 40G; pve3: offline; pve4: not in proxmox.nodes; pve9: not in the cluster",
    );
  });
});
