/**
 * Conversions from stored records to the views the core API returns.
 *
 * @module
 */
import type { User } from "../domain/identity.js";
import type { LiveContainer } from "../ports/container-backend.js";
import type { JobRecord } from "../state/jobs-repository.js";
import type { SnapshotRecord } from "../state/snapshots-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { JobView, SnapshotView, UserView, WorkloadView } from "./api.js";

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
export function toSnapshotView(record: SnapshotRecord): SnapshotView {
  return { id: record.id, workload: record.workload, owner: record.owner, createdAt: record.createdAt, expiresAt: record.expiresAt };
}
