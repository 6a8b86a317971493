/**
 * Cluster VMs voxnix did not create, assigned to an owner by a definitions file's `imported`
 * entries (recorded by `voxnix proxmox apply`). An assignment only makes the VM visible to that
 * owner (and to admins) as imported and read-only; it never lets anyone change it. Each apply
 * replaces the assignments its file made, so removing an entry removes the assignment.
 *
 * @module
 */
import type { UserId } from "../domain/identity.js";
import type { VoxnixDatabase } from "./database.js";

/** One assignment. */
export interface ImportedVmRecord {
  /** The VM's name in the cluster (not a workload name: it was never voxnix's to choose). */
  readonly name: string;
  readonly vmid: number;
  readonly owner: UserId;
  readonly note?: string;
  /** The definitions file that made it. */
  readonly source: string;
  readonly updatedAt: Date;
}

interface Row {
  name: string;
  vmid: number;
  owner: string;
  note: string | null;
  source: string;
  updated_at: number;
}

export interface ImportedVmsRepository {
  /** Replaces every assignment `source` made with `entries`, in one transaction. */
  replaceFromSource(source: string, entries: readonly Omit<ImportedVmRecord, "source" | "updatedAt">[], now: Date): void;
  listByOwner(owner: UserId): readonly ImportedVmRecord[];
  listAll(): readonly ImportedVmRecord[];
}

/** The repository over `imported_vms` (migration 13). */
export function createImportedVmsRepository(db: VoxnixDatabase): ImportedVmsRepository {
  const sqlite = db.sqlite;
  const removeSource = sqlite.prepare<[string]>("DELETE FROM imported_vms WHERE source = ?");
  const upsert = sqlite.prepare<[string, number, string, string | null, string, number]>(
    "INSERT INTO imported_vms (name, vmid, owner, note, source, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET vmid = excluded.vmid, owner = excluded.owner, note = excluded.note, source = excluded.source, updated_at = excluded.updated_at",
  );
  const byOwner = sqlite.prepare<[string], Row>("SELECT * FROM imported_vms WHERE owner = ? ORDER BY name");
  const all = sqlite.prepare<[], Row>("SELECT * FROM imported_vms ORDER BY name");
  const replace = sqlite.transaction((source: string, entries: readonly Omit<ImportedVmRecord, "source" | "updatedAt">[], now: Date) => {
    removeSource.run(source);
    for (const entry of entries) upsert.run(entry.name, entry.vmid, entry.owner, entry.note ?? null, source, now.getTime());
  });
  const toRecord = (row: Row): ImportedVmRecord => ({
    name: row.name,
    vmid: row.vmid,
    owner: row.owner as UserId,
    ...(row.note === null ? {} : { note: row.note }),
    source: row.source,
    updatedAt: new Date(row.updated_at),
  });
  return {
    replaceFromSource: (source, entries, now) => void replace.immediate(source, entries, now),
    listByOwner: (owner) => byOwner.all(owner).map(toRecord),
    listAll: () => all.all().map(toRecord),
  };
}
