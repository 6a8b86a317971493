/**
 * The storage conformance suite: what every implementation of the `StorageDriver` port
 * (`src/ports/storage-driver.ts`) must do, written once and run by each driver from its own
 * `*.conformance.test.ts` file (btrfs on a real loop image, zfs over the fake zfs program,
 * dir on plain directories). A new driver proves itself by passing it.
 *
 * Through the port only: capabilities are data; the pool and a user's area are idempotent;
 * a user's quota is reported where `quotas` says it is enforced (and a write past it is
 * refused, where the subject can write); a workspace is created once (a second create answers
 * the same path), survives as a snapshot after its deletion, and comes back from it; deleting
 * a missing workspace or snapshot succeeds; hostile names are refused before anything is
 * created. The root volumes runtimes ask for are covered in `root-volumes.ts`, the disk volumes
 * VM runtimes ask for in `disk-volumes.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { VoxnixError } from "../../src/domain/errors.js";
import type { StorageDriver } from "../../src/ports/storage-driver.js";
import { rootVolumeCases } from "./root-volumes.js";
import { diskVolumeCases } from "./disk-volumes.js";

/** One driver under test. */
export interface StorageFixture {
  readonly storage: StorageDriver;
  /**
   * Writes `bytes` into a new file in the workspace at `hostPath` and answers whether the file
   * system refused it (a quota). Absent where the suite cannot write there (a fake host).
   */
  write?(hostPath: string, bytes: number): Promise<"written" | "refused">;
  cleanup(): Promise<void>;
}

export interface StorageSubject {
  readonly label: string;
  unavailable?(): string | undefined;
  setup(): Promise<StorageFixture>;
}

const USER = "local_conformance";
const WORKLOAD = "conf-ws";
const MIB = 1024 ** 2;

/** Registers the suite for `subject`. */
export function storageConformance(subject: StorageSubject): void {
  const skip = subject.unavailable?.();
  void describe(`storage conformance: ${subject.label}`, { skip: skip ?? false, timeout: 300_000 }, () => {
    let fixture: StorageFixture;
    let storage: StorageDriver;

    before(async () => {
      fixture = await subject.setup();
      storage = fixture.storage;
      await storage.ensureReady();
    });
    after(async () => {
      if (fixture === undefined) return;
      await storage.deleteWorkspace(USER, WORKLOAD).catch(() => undefined);
      await fixture.cleanup();
    });

    void it("describes itself as data", () => {
      const info = storage.info();
      assert.match(info.name, /^[a-z][a-z0-9-]*$/);
      assert.equal(typeof info.quotas, "boolean");
      assert.equal(typeof info.cowSnapshots, "boolean");
    });

    void it("makes the pool and a user's area ready, idempotently, and reports the quota where it is enforced", async () => {
      await storage.ensureReady();
      await storage.ensureUser(USER, 64 * MIB);
      await storage.ensureUser(USER, 64 * MIB);
      const usage = await storage.userUsage(USER);
      assert.ok(usage.usedBytes >= 0);
      if (storage.info().quotas) {
        assert.equal(usage.quotaBytes, 64 * MIB);
        assert.ok(usage.availableBytes !== null && usage.availableBytes <= 64 * MIB);
      } else {
        assert.equal(usage.quotaBytes, null, "a driver without quotas says so instead of inventing one");
      }
      const checks = await storage.doctor();
      assert.ok(checks.every((check) => typeof check.name === "string" && typeof check.ok === "boolean"));
    });

    void it("creates a workspace once, mounts it, and counts it", async () => {
      assert.equal(await storage.workspaceExists(USER, WORKLOAD), false);
      const created = await storage.createWorkspace(USER, WORKLOAD, { sizeBytes: 32 * MIB });
      assert.ok(created.hostPath.startsWith("/"), "an absolute host path");
      assert.equal(await storage.workspaceExists(USER, WORKLOAD), true);
      assert.equal(
        (await storage.createWorkspace(USER, WORKLOAD, { sizeBytes: 32 * MIB })).hostPath,
        created.hostPath,
        "a second create answers the same workspace",
      );
      assert.equal((await storage.ensureWorkspaceMounted(USER, WORKLOAD)).hostPath, created.hostPath);
      const usage = await storage.workspaceUsage(USER, WORKLOAD);
      assert.ok(usage.usedBytes >= 0);
    });

    void it("refuses a write past the quota where quotas are enforced", { skip: false }, async (context) => {
      if (!storage.info().quotas || fixture.write === undefined) {
        context.skip(
          storage.info().quotas ? "this subject cannot write into its workspaces" : "the driver enforces no quotas",
        );
        return;
      }
      const { hostPath } = await storage.ensureWorkspaceMounted(USER, WORKLOAD);
      assert.equal(await fixture.write(hostPath, 8 * MIB), "written");
      assert.equal(
        await fixture.write(hostPath, 96 * MIB),
        "refused",
        "more than the user's 64 MiB is refused by the file system",
      );
    });

    void it("keeps a snapshot past the workspace's deletion and restores from it", async () => {
      const snapshot = await storage.snapshotWorkspace(USER, WORKLOAD, "conformance-1");
      assert.equal(typeof snapshot.ref, "string");
      await storage.deleteWorkspace(USER, WORKLOAD);
      assert.equal(await storage.workspaceExists(USER, WORKLOAD), false);
      await storage.deleteWorkspace(USER, WORKLOAD);
      const restored = await storage.restoreWorkspace(snapshot, USER, WORKLOAD, { sizeBytes: 32 * MIB });
      assert.ok(restored.hostPath.startsWith("/"));
      assert.equal(await storage.workspaceExists(USER, WORKLOAD), true);
      await storage.deleteSnapshot(snapshot);
      await storage.deleteSnapshot(snapshot);
      await storage.deleteWorkspace(USER, WORKLOAD);
      assert.equal(await storage.workspaceExists(USER, WORKLOAD), false);
    });

    void it("refuses hostile user keys and workload names with a typed error, creating nothing", async () => {
      for (const [userKey, workload] of [
        ["../etc", WORKLOAD],
        [USER, "../../root"],
        [USER, "a/b"],
      ] as const) {
        await assert.rejects(
          storage.createWorkspace(userKey, workload),
          (error: unknown) => error instanceof VoxnixError,
          `${userKey} ${workload}`,
        );
      }
      assert.equal(await storage.workspaceExists(USER, "a").catch(() => false), false);
    });

    rootVolumeCases(() => ({ storage, fixture }), USER);
    diskVolumeCases(() => ({ storage, fixture }), USER);
  });
}
