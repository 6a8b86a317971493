/** A worker thread for the ledger test: reserves `count` VMIDs in the shared database file as fast as it can. */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../../../../src/state/database.js";
import { createProxmoxVmidsRepository } from "../../../../src/state/proxmox-vmids-repository.js";

const { path, count, label } = workerData as { path: string; count: number; label: string };
const db = openDatabase(path, { busyTimeoutMs: 20_000 });
const ledger = createProxmoxVmidsRepository(db);
const got: number[] = [];
for (let index = 0; index < count; index += 1) {
  const vmid = ledger.reserveNext({ first: 100, last: 999 }, `${label}-${index}`, new Date());
  if (vmid !== undefined) got.push(vmid);
}
db.close();
parentPort?.postMessage(got);
