/**
 * The ZFS storage driver (the appliance's storage). See `driver.ts` for the layout and
 * `snapshots.ts` for how snapshots outlive deleted workspaces.
 *
 * @module
 */
export { createZfsStorage, type ZfsStorageOptions } from "./driver.js";
