/**
 * The Proxmox VMID ledger. `/cluster/nextid` only says an ID is free *at that moment*, so two
 * concurrent creates get the same answer, and an ID just deleted is handed out again (the
 * collisions Terraform, Cluster API and Ansible integrations report). voxnix therefore owns a
 * range and records every ID it ever allocated here. A reservation is one immediate SQLite
 * transaction (the database lock: two processes never reserve the same ID), IDs only move
 * forward (a released ID is never reused), and IDs found in use outside voxnix are recorded
 * as `taken` so they are skipped for good.
 *
 * States: `reserved` (allocated for a create in progress), `active` (the VM exists and voxnix
 * manages it), `released` (the VM was deleted or the create rolled back; never reused),
 * `taken` (someone else's VM had it; never used).
 *
 * @module
 */
import { ConflictError } from "../domain/errors.js";
import type { VoxnixDatabase } from "./database.js";

export type VmidState = "reserved" | "active" | "released" | "taken";

/** One ledger row. */
export interface VmidRecord {
  readonly vmid: number;
  /** The workload it was allocated for; undefined for `taken` rows. */
  readonly workload: string | undefined;
  readonly state: VmidState;
  readonly note: string;
  readonly allocatedAt: Date;
  readonly updatedAt: Date;
}

/** An inclusive VMID range. */
export interface VmidRange {
  readonly first: number;
  readonly last: number;
}

interface Row {
  vmid: number;
  workload: string | null;
  state: VmidState;
  note: string;
  allocated_at: number;
  updated_at: number;
}

/** Reads and writes the ledger. */
export interface ProxmoxVmidsRepository {
  /**
   * Reserves the next never-used ID in `range` for `workload`, or returns undefined when the
   * range is used up. Throws `ConflictError` when the workload already has a live ID.
   */
  reserveNext(range: VmidRange, workload: string, now: Date): number | undefined;
  /** Records that `vmid` is in use outside voxnix; it is never offered again. */
  markTaken(vmid: number, note: string, now: Date): void;
  /** The create finished: the VM exists and is managed. */
  activate(vmid: number, now: Date): void;
  /** The VM is gone (destroyed or rolled back); the ID stays recorded and is never reused. */
  release(vmid: number, note: string, now: Date): void;
  /** The live (`reserved` or `active`) row for a workload. */
  findLive(workload: string): VmidRecord | undefined;
  get(vmid: number): VmidRecord | undefined;
  all(): readonly VmidRecord[];
}

/** The ledger over the `proxmox_vmids` table (migration 8). */
export function createProxmoxVmidsRepository(db: VoxnixDatabase): ProxmoxVmidsRepository {
  const highest = db.sqlite.prepare<[number, number], { highest: number | null }>(
    "SELECT MAX(vmid) AS highest FROM proxmox_vmids WHERE vmid BETWEEN ? AND ?",
  );
  const insert = db.sqlite.prepare<[number, string | null, VmidState, string, number, number]>(
    "INSERT INTO proxmox_vmids (vmid, workload, state, note, allocated_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const update = db.sqlite.prepare<[VmidState, string, number, number]>(
    "UPDATE proxmox_vmids SET state = ?, note = ?, updated_at = ? WHERE vmid = ?",
  );
  const activate = db.sqlite.prepare<[number, number]>(
    "UPDATE proxmox_vmids SET state = 'active', updated_at = ? WHERE vmid = ? AND state = 'reserved'",
  );
  const selectLive = db.sqlite.prepare<[string], Row>(
    "SELECT * FROM proxmox_vmids WHERE workload = ? AND state IN ('reserved', 'active')",
  );
  const selectOne = db.sqlite.prepare<[number], Row>("SELECT * FROM proxmox_vmids WHERE vmid = ?");
  const selectAll = db.sqlite.prepare<[], Row>("SELECT * FROM proxmox_vmids ORDER BY vmid");

  return {
    reserveNext(range, workload, now) {
      return db.transaction(() => {
        if (selectLive.get(workload))
          throw new ConflictError("busy", `A VM called "${workload}" is already being created or exists.`);
        // Every ID at or below the highest recorded one was used once; only go up.
        const top = highest.get(range.first, range.last)?.highest ?? null;
        const candidate = top === null ? range.first : top + 1;
        if (candidate > range.last) return undefined;
        insert.run(candidate, workload, "reserved", "", now.getTime(), now.getTime());
        return candidate;
      });
    },
    markTaken(vmid, note, now) {
      db.transaction(() => {
        if (selectOne.get(vmid)) update.run("taken", note, now.getTime(), vmid);
        else insert.run(vmid, null, "taken", note, now.getTime(), now.getTime());
      });
    },
    activate(vmid, now) {
      activate.run(now.getTime(), vmid);
    },
    release(vmid, note, now) {
      update.run("released", note, now.getTime(), vmid);
    },
    findLive(workload) {
      const row = selectLive.get(workload);
      return row ? toRecord(row) : undefined;
    },
    get(vmid) {
      const row = selectOne.get(vmid);
      return row ? toRecord(row) : undefined;
    },
    all() {
      return selectAll.all().map(toRecord);
    },
  };
}

function toRecord(row: Row): VmidRecord {
  return {
    vmid: row.vmid,
    workload: row.workload ?? undefined,
    state: row.state,
    note: row.note,
    allocatedAt: new Date(row.allocated_at),
    updatedAt: new Date(row.updated_at),
  };
}
