/**
 * The zfs storage driver passes the storage conformance suite over the fake `zfs` program
 * (`test/fakes/bin/nixos/zfs`, which models datasets, quotas and snapshots in a state file),
 * through the real command runner on a throw-away host root.
 */
import { storageConformance } from "./storage.js";
import { FakeHost } from "../contract/nixos/harness.js";

storageConformance({
  label: "zfs (fake zfs program)",
  async setup() {
    const host = new FakeHost();
    return { storage: host.zfs(), cleanup: async () => host.dispose() };
  },
});
