/**
 * An in-memory storage driver that models the port: per-user quotas (a write past the quota
 * fails, as on btrfs/zfs), idempotent workspace creation, deletes of missing things succeed,
 * restoring onto an existing workspace fails. Records calls; failures are injectable.
 *
 * @module
 */
import { HostFailureError, InvalidInputError } from "../../src/domain/errors.js";
import type { DoctorCheck } from "../../src/ports/runtime.js";
import type { SnapshotRef, StorageDriver, StorageInfo, Usage } from "../../src/ports/storage-driver.js";
import { FailureInjector } from "./fake-failures.js";

/** Methods whose calls can be failed or held. */
export type StorageMethod =
  | "ensureReady"
  | "doctor"
  | "ensureUser"
  | "userUsage"
  | "createWorkspace"
  | "ensureWorkspaceMounted"
  | "deleteWorkspace"
  | "resizeWorkspace"
  | "workspaceUsage"
  | "workspaceExists"
  | "snapshotWorkspace"
  | "restoreWorkspace"
  | "deleteSnapshot";

/** A fake workspace: its bytes and whether it is mounted. */
export interface FakeWorkspace {
  usedBytes: number;
  mounted: boolean;
  /** Its own size limit, as the last create or resize set it (absent: none). */
  limitBytes?: number | null;
}

/** The fake storage driver. Inspect `users`, `workspaces`, `snapshots`; write data with `write`. */
export class FakeStorageDriver implements StorageDriver {
  readonly injector = new FailureInjector<StorageMethod>();
  /** User key → quota in bytes. */
  readonly users = new Map<string, number>();
  /** `userKey/workload` → workspace. */
  readonly workspaces = new Map<string, FakeWorkspace>();
  /** Snapshot ref → what it holds. */
  readonly snapshots = new Map<string, { userKey: string; workload: string; usedBytes: number }>();
  readonly #info: StorageInfo;

  constructor(options: { readonly quotas?: boolean; readonly name?: string } = {}) {
    this.#info = { name: options.name ?? "fake", quotas: options.quotas ?? true, cowSnapshots: true };
  }

  get calls() {
    return this.injector.calls;
  }

  /** Makes the next call of `method` throw `error`. */
  failNext(method: StorageMethod, error: Error): void {
    this.injector.failNext(method, error);
  }

  /** Writes `bytes` into a workspace; fails like a full file system when the user's quota would be exceeded. */
  write(userKey: string, workload: string, bytes: number): void {
    const workspace = this.workspaces.get(`${userKey}/${workload}`);
    if (!workspace) throw new HostFailureError(`No workspace ${userKey}/${workload}.`);
    const quota = this.users.get(userKey);
    if (this.#info.quotas && quota !== undefined && this.#used(userKey) + bytes > quota) {
      throw new HostFailureError("Disk quota exceeded.");
    }
    if (typeof workspace.limitBytes === "number" && workspace.usedBytes + bytes > workspace.limitBytes)
      throw new HostFailureError("Disk quota exceeded.");
    workspace.usedBytes += bytes;
  }

  info(): StorageInfo {
    return this.#info;
  }

  async ensureReady(): Promise<void> {
    await this.injector.enter("ensureReady", []);
  }

  async doctor(): Promise<readonly DoctorCheck[]> {
    await this.injector.enter("doctor", []);
    return [{ name: "fake-storage", ok: true, detail: "In memory." }];
  }

  async ensureUser(userKey: string, quotaBytes: number): Promise<void> {
    await this.injector.enter("ensureUser", [userKey, quotaBytes]);
    this.users.set(userKey, quotaBytes);
  }

  async userUsage(userKey: string): Promise<Usage> {
    await this.injector.enter("userUsage", [userKey]);
    const quota = this.#info.quotas ? (this.users.get(userKey) ?? null) : null;
    const used = this.#used(userKey);
    return { usedBytes: used, quotaBytes: quota, availableBytes: quota === null ? null : Math.max(0, quota - used) };
  }

  workspacePath(userKey: string, workload: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/.test(userKey) || !/^[a-z0-9][a-z0-9-]*$/.test(workload))
      throw new InvalidInputError([
        { path: "workload", message: `"${userKey}/${workload}" cannot be a storage path.` },
      ]);
    return hostPath(userKey, workload);
  }

  async createWorkspace(
    userKey: string,
    workload: string,
    options?: { readonly sizeBytes?: number },
  ): Promise<{ readonly hostPath: string }> {
    await this.injector.enter("createWorkspace", [userKey, workload]);
    if (!this.users.has(userKey)) throw new HostFailureError(`The storage area of ${userKey} does not exist.`);
    const key = `${userKey}/${workload}`;
    if (!this.workspaces.has(key))
      this.workspaces.set(key, {
        usedBytes: 0,
        mounted: true,
        ...(options?.sizeBytes === undefined ? {} : { limitBytes: options.sizeBytes }),
      });
    return { hostPath: hostPath(userKey, workload) };
  }

  async ensureWorkspaceMounted(userKey: string, workload: string): Promise<{ readonly hostPath: string }> {
    await this.injector.enter("ensureWorkspaceMounted", [userKey, workload]);
    const workspace = this.workspaces.get(`${userKey}/${workload}`);
    if (!workspace) throw new HostFailureError(`The workspace of ${workload} is missing.`);
    workspace.mounted = true;
    return { hostPath: hostPath(userKey, workload) };
  }

  /** Sets the workspace's limit in place, like a qgroup limit or refquota (which accept a limit below usage; the core must refuse it). */
  async resizeWorkspace(userKey: string, workload: string, sizeBytes: number | null): Promise<void> {
    await this.injector.enter("resizeWorkspace", [userKey, workload, sizeBytes]);
    const workspace = this.workspaces.get(`${userKey}/${workload}`);
    if (!workspace) throw new HostFailureError(`The workspace of ${workload} is missing.`);
    workspace.limitBytes = sizeBytes;
  }

  async deleteWorkspace(userKey: string, workload: string): Promise<void> {
    await this.injector.enter("deleteWorkspace", [userKey, workload]);
    this.workspaces.delete(`${userKey}/${workload}`);
  }

  async workspaceUsage(userKey: string, workload: string): Promise<Usage> {
    await this.injector.enter("workspaceUsage", [userKey, workload]);
    const workspace = this.workspaces.get(`${userKey}/${workload}`);
    const used = workspace?.usedBytes ?? 0;
    const limit = workspace?.limitBytes ?? null;
    return { usedBytes: used, quotaBytes: limit, availableBytes: limit === null ? null : Math.max(0, limit - used) };
  }

  async workspaceExists(userKey: string, workload: string): Promise<boolean> {
    await this.injector.enter("workspaceExists", [userKey, workload]);
    return this.workspaces.has(`${userKey}/${workload}`);
  }

  async snapshotWorkspace(userKey: string, workload: string, label: string): Promise<SnapshotRef> {
    await this.injector.enter("snapshotWorkspace", [userKey, workload, label]);
    const workspace = this.workspaces.get(`${userKey}/${workload}`);
    if (!workspace) throw new HostFailureError(`There is no workspace of ${workload} to snapshot.`);
    const ref = `${userKey}/${workload}@${label}`;
    if (this.snapshots.has(ref)) throw new HostFailureError(`A snapshot ${ref} already exists.`);
    this.snapshots.set(ref, { userKey, workload, usedBytes: workspace.usedBytes });
    return { ref };
  }

  async restoreWorkspace(
    snapshot: SnapshotRef,
    userKey: string,
    workload: string,
  ): Promise<{ readonly hostPath: string }> {
    await this.injector.enter("restoreWorkspace", [snapshot, userKey, workload]);
    const stored = this.snapshots.get(snapshot.ref);
    if (!stored) throw new HostFailureError(`The snapshot ${snapshot.ref} does not exist.`);
    const key = `${userKey}/${workload}`;
    if (this.workspaces.has(key)) throw new HostFailureError(`The workspace ${key} already exists.`);
    this.workspaces.set(key, { usedBytes: stored.usedBytes, mounted: true });
    return { hostPath: hostPath(userKey, workload) };
  }

  async deleteSnapshot(snapshot: SnapshotRef): Promise<void> {
    await this.injector.enter("deleteSnapshot", [snapshot]);
    this.snapshots.delete(snapshot.ref);
  }

  #used(userKey: string): number {
    let total = 0;
    for (const [key, workspace] of this.workspaces) if (key.startsWith(`${userKey}/`)) total += workspace.usedBytes;
    return total;
  }
}

function hostPath(userKey: string, workload: string): string {
  return `/fake/storage/${userKey}/${workload}`;
}
