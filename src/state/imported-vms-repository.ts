/**
 * Cluster VMs voxnix did not create, assigned to an owner by a definitions file's `imported`
 * entries (recorded by `voxnix proxmox apply`). An assignment only makes the VM visible to that
 * owner (and to admins) as imported; with `allowPowerControl` they may also start and stop it,
 * and nothing else. Each apply replaces the assignments its file made, so removing an entry
 * removes the assignment.
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
  /** Who it is assigned to; absent for an entry without one (admins only see it). */
  readonly owner?: UserId;
  readonly note?: string;
  /** The entry says `allowPowerControl: true`: its owner and admins may start and stop it (nothing else). */
  readonly allowPowerControl: boolean;
  /** The definitions file that made it. */
  readonly source: string;
  readonly updatedAt: Date;
}

/** What a definitions file says about one assignment (`allowPowerControl` defaults to false). */
export type ImportedVmEntry = Omit<ImportedVmRecord, "source" | "updatedAt" | "allowPowerControl"> & {
  readonly allowPowerControl?: boolean;
};

interface Row {
  name: string;
  vmid: number;
  owner: string | null;
  note: string | null;
  source: string;
  updated_at: number;
  power_control: number;
}

export interface ImportedVmsRepository {
  /** Replaces every assignment `source` made with `entries`, in one transaction. */
  replaceFromSource(source: string, entries: readonly ImportedVmEntry[], now: Date): void;
  listByOwner(owner: UserId): readonly ImportedVmRecord[];
  listAll(): readonly ImportedVmRecord[];
  /** The assignment of the VM called `name`, whoever it is assigned to. */
  get(name: string): ImportedVmRecord | undefined;
}

/** The repository over `imported_vms` (migrations 13 and 14). */
export function createImportedVmsRepository(db: VoxnixDatabase): ImportedVmsRepository {
  const sqlite = db.sqlite;
  const removeSource = sqlite.prepare<[string]>("DELETE FROM imported_vms WHERE source = ?");
  const upsert = sqlite.prepare<[string, number, string | null, string | null, number, string, number]>(
    "INSERT INTO imported_vms (name, vmid, owner, note, power_control, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET vmid = excluded.vmid, owner = excluded.owner, note = excluded.note, power_control = excluded.power_control, source = excluded.source, updated_at = excluded.updated_at",
  );
  const byName = sqlite.prepare<[string], Row>("SELECT * FROM imported_vms WHERE name = ?");
  const byOwner = sqlite.prepare<[string], Row>("SELECT * FROM imported_vms WHERE owner = ? ORDER BY name");
  const all = sqlite.prepare<[], Row>("SELECT * FROM imported_vms ORDER BY name");
  const replace = sqlite.transaction((source: string, entries: readonly ImportedVmEntry[], now: Date) => {
    removeSource.run(source);
    for (const entry of entries)
      upsert.run(
        entry.name,
        entry.vmid,
        entry.owner ?? null,
        entry.note ?? null,
        entry.allowPowerControl === true ? 1 : 0,
        source,
        now.getTime(),
      );
  });
  const toRecord = (row: Row): ImportedVmRecord => ({
    name: row.name,
    vmid: row.vmid,
    ...(row.owner === null ? {} : { owner: row.owner as UserId }),
    ...(row.note === null ? {} : { note: row.note }),
    allowPowerControl: row.power_control === 1,
    source: row.source,
    updatedAt: new Date(row.updated_at),
  });
  return {
    replaceFromSource: (source, entries, now) => void replace.immediate(source, entries, now),
    listByOwner: (owner) => byOwner.all(owner).map(toRecord),
    listAll: () => all.all().map(toRecord),
    get: (name) => {
      const row = byName.get(name);
      return row === undefined ? undefined : toRecord(row);
    },
  };
}
