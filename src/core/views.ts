/**
 * Conversions from stored records to the views the core API returns.
 *
 * @module
 */
import type { User } from "../domain/identity.js";
import type { LiveContainer } from "../ports/runtime.js";
import type { JobRecord } from "../state/jobs-repository.js";
import type { SnapshotRecord } from "../state/snapshots-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { ImportedVmRecord } from "../state/imported-vms-repository.js";
import type { IdleNotice, ImportedVmView, JobView, ListResult, SnapshotView, UserView, WorkloadView } from "./api.js";

/**
 * The list `user` may see: their own workloads, or every workload plus unmanaged host
 * containers for admins. A pending idle warning is the owner's alone: an admin sees every
 * workload but is warned only about their own (issue 13). That a workload was stopped for
 * idleness is its state, not a warning, and stays visible to admins: the dashboard's
 * Terminal button starts such a workload again, for an admin too.
 */
export function visibleList(
  user: User,
  records: readonly WorkloadRecord[],
  live: ReadonlyMap<string, LiveContainer>,
  idleNotice: (record: WorkloadRecord) => IdleNotice | undefined = () => undefined,
  assigned: readonly ImportedVmRecord[] = [],
): ListResult {
  const isAdmin = user.role === "admin";
  const mine = isAdmin ? records : records.filter((record) => record.owner === user.id);
  const workloads = mine.map((record) => {
    const view = toWorkloadView(record, live.get(record.name));
    const found = idleNotice(record);
    const notice = found && (record.owner === user.id || found.type === "stopped") ? found : undefined;
    return notice ? { ...view, idleNotice: notice } : view;
  });
  // Only assignments to this user (every one for admins), whatever the caller passed.
  const imported = assigned
    .filter((entry) => isAdmin || entry.owner === user.id)
    .map((entry) => toImportedView(entry, live.get(entry.name)));
  const withImported = imported.length > 0 ? { imported } : {};
  if (!isAdmin) return { workloads, ...withImported };
  const known = new Set([...records.map((record) => record.name), ...imported.map((entry) => entry.name)]);
  const unmanaged = [...live.values()]
    .filter((container) => !known.has(container.name))
    .map((container) => ({ name: container.name, state: container.state }));
  return { workloads, unmanaged, ...withImported };
}

/** The imported-VM assignments `user` may see. */
export function assignedImports(
  context: {
    readonly repos: {
      readonly importedVms: {
        listAll(): readonly ImportedVmRecord[];
        listByOwner(owner: User["id"]): readonly ImportedVmRecord[];
      };
    };
  },
  user: User,
): readonly ImportedVmRecord[] {
  return user.role === "admin" ? context.repos.importedVms.listAll() : context.repos.importedVms.listByOwner(user.id);
}

/** An assigned imported VM as its owner sees it. */
export function toImportedView(entry: ImportedVmRecord, live: LiveContainer | undefined): ImportedVmView {
  return {
    name: entry.name,
    vmid: entry.vmid,
    ...(entry.owner === undefined ? {} : { owner: entry.owner }),
    live: live ? live.state : "missing",
    ...(entry.note ? { note: entry.note } : {}),
    readOnly: true,
    allowPowerControl: entry.allowPowerControl,
  };
}

/** A workload view; `live` undefined means the host does not know the container. */
export function toWorkloadView(record: WorkloadRecord, live: LiveContainer | undefined): WorkloadView {
  return {
    name: record.name,
    owner: record.owner,
    kind: "container",
    backend: record.backend,
    status: record.status,
    desired: record.desired,
    live: live ? live.state : "missing",
    addresses: live ? live.addresses : [],
    spec: record.spec,
    createdAt: record.createdAt,
  };
}

// Facts that describe the host rather than the workload: paths, process ids, cgroups, units.
const HOST_FACT_KEY = /pid|leader|root|director|conf|console|cgroup|path|unit|service|file|device|mount|image/i;

/**
 * The backend facts a tenant may see: without host paths, process ids, cgroup paths and unit
 * names, which only admins need (and which tell a tenant about the host's layout). Decided
 * here, in the core, so that every adapter shows tenants the same thing.
 */
export function tenantFacts(facts: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (HOST_FACT_KEY.test(key) || /(^|[\s=:])\/[^\s]*/.test(value) || value.includes("/sys/fs/cgroup")) continue;
    kept[key] = value;
  }
  return kept;
}

/** A user view with their workload count. */
export function toUserView(user: User, workloads: number): UserView {
  return {
    id: user.id,
    role: user.role,
    status: user.status,
    limits: user.limits,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    workloads,
    createdAt: user.createdAt,
  };
}

/** A job view. */
export function toJobView(record: JobRecord): JobView {
  return {
    id: record.id,
    kind: record.kind,
    workload: record.workload,
    owner: record.owner,
    state: record.state,
    progress: record.progress,
    ...(record.error ? { error: record.error } : {}),
    startedAt: record.startedAt,
    ...(record.endedAt ? { endedAt: record.endedAt } : {}),
  };
}

/** A snapshot view. */
export function toSnapshotView(record: SnapshotRecord, keptDisk?: string): SnapshotView {
  return {
    id: record.id,
    workload: record.workload,
    owner: record.owner,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ...(record.rootDisk === undefined
      ? {}
      : { rootDiskBytes: record.rootDisk.bytes, ...(keptDisk === undefined ? {} : { keptDisk }) }),
  };
}
