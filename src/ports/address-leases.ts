/**
 * IP address management for backends that run their own bridge (nspawn): leases are recorded
 * in the database so addresses survive restarts and never collide.
 *
 * @module
 */
export interface AddressLeases {
  /** Returns the workload's lease, allocating the lowest free host address in `subnet` (CIDR) if it has none. */
  allocate(workload: string, subnet: string): string;
  /** The current lease, if any. */
  get(workload: string): string | undefined;
  /** Releases the lease; releasing a missing one succeeds. */
  release(workload: string): void;
  /** All leases, for reconcile. */
  all(): ReadonlyMap<string, string>;
}
