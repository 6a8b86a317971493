/**
 * Contract tests of the ZFS storage driver against the fake zfs executable: layout and
 * explicit mountpoints, quotas, race tolerance, mount-before-start, usage parsing,
 * snapshots that outlive the workspace, restore, and failures that are reported.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ConflictError, HostFailureError, InvalidInputError, NotFoundError } from "../../../src/domain/errors.js";
import { FakeHost } from "./harness.js";

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
});
afterEach(() => host.dispose());

const USER = "telegram_42";
const WS = "tank/users/telegram_42/containers/dev/workspace";

async function readyUser(env: Record<string, string> = {}) {
  const zfs = host.zfs(env);
  await zfs.ensureReady();
  await zfs.ensureUser(USER, 10 * 1024 ** 3);
  return zfs;
}

void describe("zfs storage: layout", () => {
  void it("creates users, the user (with quota) and the workspace with explicit mountpoints at every level", async () => {
    const zfs = await readyUser();
    const { hostPath } = await zfs.createWorkspace(USER, "dev");
    assert.equal(hostPath, `/${WS}`);
    assert.deepEqual(host.commandLines("zfs"), [
      "zfs list -H -o name tank",
      "zfs create -o mountpoint=/tank/users tank/users",
      "zfs create -o mountpoint=/tank/users/telegram_42 tank/users/telegram_42",
      `zfs set quota=${10 * 1024 ** 3} tank/users/telegram_42`,
      "zfs create -o mountpoint=/tank/users/telegram_42/containers tank/users/telegram_42/containers",
      "zfs create -o mountpoint=/tank/users/telegram_42/containers/dev tank/users/telegram_42/containers/dev",
      `zfs create -o mountpoint=/${WS} ${WS}`,
      `zfs get -H -o value mounted ${WS}`,
    ]);
    const state = host.zfsState();
    assert.equal(state.datasets["tank/users/telegram_42"]?.quota, 10 * 1024 ** 3);
    assert.equal(state.datasets[WS]?.mountpoint, `/${WS}`);
  });

  void it("honours storage.zfs.mountpoint (services.voxnix.poolMountpoint) at every level", async () => {
    const zfs = host.zfs({}, { storage: { zfs: { pool: "tank", mountpoint: "/srv/pool" } } });
    await zfs.ensureReady();
    await zfs.ensureUser(USER, 10 * 1024 ** 3);
    const { hostPath } = await zfs.createWorkspace(USER, "dev");
    assert.equal(hostPath, "/srv/pool/users/telegram_42/containers/dev/workspace");
    const creates = host.commandLines("zfs").filter((line) => line.startsWith("zfs create"));
    assert.deepEqual(creates, [
      "zfs create -o mountpoint=/srv/pool/users tank/users",
      "zfs create -o mountpoint=/srv/pool/users/telegram_42 tank/users/telegram_42",
      "zfs create -o mountpoint=/srv/pool/users/telegram_42/containers tank/users/telegram_42/containers",
      "zfs create -o mountpoint=/srv/pool/users/telegram_42/containers/dev tank/users/telegram_42/containers/dev",
      `zfs create -o mountpoint=/srv/pool/users/telegram_42/containers/dev/workspace ${WS}`,
    ]);
    assert.equal(host.zfsState().datasets[WS]?.mountpoint, "/srv/pool/users/telegram_42/containers/dev/workspace");
    assert.equal((await zfs.ensureWorkspaceMounted(USER, "dev")).hostPath, hostPath);
  });

  void it("is idempotent and re-applies a changed quota", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    await zfs.ensureReady();
    await zfs.ensureUser(USER, 20 * 1024 ** 3);
    await zfs.createWorkspace(USER, "dev");
    assert.equal(host.zfsState().datasets["tank/users/telegram_42"]?.quota, 20 * 1024 ** 3);
  });

  void it("repairs a user dataset left legacy-mounted by an older layout", async () => {
    const zfs = await readyUser();
    const state = host.zfsState();
    state.datasets["tank/users/telegram_42"]!.mountpoint = "legacy";
    state.datasets["tank/users/telegram_42"]!.mounted = "no";
    host.writeZfsState(state);
    host.clearCalls();
    await zfs.ensureUser(USER, 1024 ** 3);
    assert.equal(host.zfsState().datasets["tank/users/telegram_42"]?.mountpoint, "/tank/users/telegram_42");
    assert.ok(host.commandLines("zfs").includes("zfs set mountpoint=/tank/users/telegram_42 tank/users/telegram_42"));
    host.clearCalls();
    await zfs.ensureUser(USER, 1024 ** 3);
    assert.equal(
      host.commandLines("zfs").some((line) => line.startsWith("zfs set mountpoint")),
      false,
      "nothing to repair the second time",
    );
  });

  void it("treats a dataset created concurrently by someone else as success", async () => {
    const zfs = await readyUser({ FAKE_ZFS_RACE: "tank/users/telegram_42/containers" });
    const { hostPath } = await zfs.createWorkspace(USER, "dev");
    assert.equal(hostPath, `/${WS}`);
    assert.ok(host.zfsState().datasets[WS]);
  });

  void it("reports a missing pool and other create failures with zfs's words as detail", async () => {
    host.writeZfsState({ datasets: {}, snapshots: [] });
    const error = await host
      .zfs()
      .ensureReady()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof HostFailureError);
    assert.match(error.message, /The ZFS pool "tank" does not exist/);
    const zfs = host.zfs();
    await assert.rejects(
      zfs.ensureUser(USER, 1024),
      (caught: unknown) => caught instanceof HostFailureError && /parent does not exist/.test(caught.message),
    );
  });

  void it("refuses names that could escape the layout", async () => {
    const zfs = host.zfs();
    await assert.rejects(zfs.createWorkspace("../etc", "dev"), InvalidInputError);
    await assert.rejects(zfs.createWorkspace(USER, "a/b"), InvalidInputError);
    await assert.rejects(zfs.snapshotWorkspace(USER, "dev", "x y"), InvalidInputError);
    assert.deepEqual(host.commandLines("zfs"), []);
  });
});

void describe("zfs storage: mounting and usage", () => {
  void it("mounts an unmounted workspace before start and leaves a mounted one alone", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    const state = host.zfsState();
    state.datasets[WS]!.mounted = "no";
    host.writeZfsState(state);
    host.clearCalls();
    assert.deepEqual(await zfs.ensureWorkspaceMounted(USER, "dev"), { hostPath: `/${WS}` });
    assert.deepEqual(host.commandLines("zfs"), [`zfs get -H -o value mounted ${WS}`, `zfs mount ${WS}`]);
    assert.equal(host.zfsState().datasets[WS]?.mounted, "yes");
    host.clearCalls();
    await zfs.ensureWorkspaceMounted(USER, "dev");
    assert.deepEqual(host.commandLines("zfs"), [`zfs get -H -o value mounted ${WS}`]);
  });

  void it("reports a failed mount and a missing workspace", async () => {
    const zfs = await readyUser({ FAKE_ZFS_FAIL: "mount" });
    await zfs.createWorkspace(USER, "dev");
    const state = host.zfsState();
    state.datasets[WS]!.mounted = "no";
    host.writeZfsState(state);
    await assert.rejects(
      zfs.ensureWorkspaceMounted(USER, "dev"),
      (error: unknown) => error instanceof HostFailureError && /dataset is busy/.test(error.message),
    );
    await assert.rejects(
      zfs.ensureWorkspaceMounted(USER, "web"),
      (error: unknown) => error instanceof HostFailureError && /missing on the host/.test(error.message),
    );
  });

  void it("parses usage from zfs get -Hp; no quota is null", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    const state = host.zfsState();
    state.datasets[WS]!.used = 5 * 1024 ** 2;
    host.writeZfsState(state);
    assert.deepEqual(await zfs.userUsage(USER), {
      usedBytes: 24576,
      quotaBytes: 10 * 1024 ** 3,
      availableBytes: 10 * 1024 ** 3 - 24576,
    });
    assert.deepEqual(await zfs.workspaceUsage(USER, "dev"), {
      usedBytes: 5 * 1024 ** 2,
      quotaBytes: null,
      availableBytes: 100 * 1024 ** 3 - 5 * 1024 ** 2,
    });
    assert.ok(host.commandLines("zfs").includes(`zfs get -Hp -o property,value used,quota,available ${WS}`));
    await assert.rejects(zfs.userUsage("telegram_7"), NotFoundError);
    assert.equal(await zfs.workspaceExists(USER, "dev"), true);
    assert.equal(await zfs.workspaceExists(USER, "web"), false);
  });
});

void describe("zfs storage: snapshots and deletion", () => {
  void it("keeps a snapshot through deleteWorkspace and restores from it", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    const snapshot = await zfs.snapshotWorkspace(USER, "dev", "20261121-2000");
    assert.equal(snapshot.ref, "zfs:telegram_42/dev@20261121-2000");
    assert.ok(host.zfsState().snapshots.includes(`${WS}@voxnix-20261121-2000`));

    await zfs.deleteWorkspace(USER, "dev");
    let state = host.zfsState();
    assert.equal(
      state.datasets["tank/users/telegram_42/containers/dev"],
      undefined,
      "the container's datasets are gone",
    );
    const trashed = "tank/users/telegram_42/trash/dev.20261121-2000";
    assert.equal(state.datasets[trashed]?.mountpoint, "none");
    assert.ok(state.snapshots.includes(`${trashed}@voxnix-20261121-2000`), "the snapshot survived");
    assert.equal(await zfs.workspaceExists(USER, "dev"), false);

    const { hostPath } = await zfs.restoreWorkspace(snapshot, USER, "dev");
    assert.equal(hostPath, `/${WS}`);
    state = host.zfsState();
    assert.equal(state.datasets[trashed], undefined);
    assert.equal(state.datasets[WS]?.mountpoint, `/${WS}`);
    assert.equal(state.datasets[WS]?.mounted, "yes");
    assert.equal(state.datasets[WS]?.rolledBackTo, `${WS}@voxnix-20261121-2000`);

    await zfs.deleteSnapshot(snapshot);
    assert.deepEqual(host.zfsState().snapshots, []);
    await zfs.deleteSnapshot(snapshot);
  });

  void it("prunes a trash entry once its last snapshot is deleted", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    const first = await zfs.snapshotWorkspace(USER, "dev", "a1");
    const second = await zfs.snapshotWorkspace(USER, "dev", "a2");
    await zfs.deleteWorkspace(USER, "dev");
    const trashed = "tank/users/telegram_42/trash/dev.a2";
    await zfs.deleteSnapshot(first);
    assert.ok(host.zfsState().datasets[trashed], "kept while a snapshot remains");
    await zfs.deleteSnapshot(second);
    assert.equal(host.zfsState().datasets[trashed], undefined);
  });

  void it("deletes a workspace without snapshots outright", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    await zfs.deleteWorkspace(USER, "dev");
    assert.ok(host.commandLines("zfs").includes("zfs destroy -r tank/users/telegram_42/containers/dev"));
    assert.equal(
      Object.keys(host.zfsState().datasets).some((dataset) => dataset.includes("trash")),
      false,
    );
    await zfs.deleteWorkspace(USER, "dev");
  });

  void it("reports a storage cleanup that fails instead of hiding it", async () => {
    const zfs = await readyUser({ FAKE_ZFS_FAIL: "destroy" });
    await zfs.createWorkspace(USER, "dev");
    const error = await zfs.deleteWorkspace(USER, "dev").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof HostFailureError);
    assert.match(error.message, /^Deleting the storage of "dev" failed: cannot destroy .*dataset is busy/);
    assert.match(error.detail ?? "", /zfs destroy -r tank\/users\/telegram_42\/containers\/dev/);
    assert.ok(host.zfsState().datasets[WS], "the workspace is still there");
  });

  void it("refuses to restore over an existing workspace and reports vanished snapshots", async () => {
    const zfs = await readyUser();
    await zfs.createWorkspace(USER, "dev");
    const snapshot = await zfs.snapshotWorkspace(USER, "dev", "b1");
    await assert.rejects(zfs.restoreWorkspace(snapshot, USER, "dev"), ConflictError);
    await assert.rejects(zfs.snapshotWorkspace(USER, "dev", "b1"), ConflictError);
    const { hostPath } = await zfs.restoreWorkspace(snapshot, USER, "dev2");
    assert.equal(hostPath, "/tank/users/telegram_42/containers/dev2/workspace");
    assert.equal(
      host.zfsState().datasets["tank/users/telegram_42/containers/dev2/workspace"]?.origin,
      `${WS}@voxnix-b1`,
    );
    await assert.rejects(zfs.restoreWorkspace({ ref: "zfs:telegram_42/dev@gone" }, USER, "dev3"), NotFoundError);
    await assert.rejects(zfs.restoreWorkspace({ ref: "btrfs:whatever" }, USER, "dev3"), InvalidInputError);
  });

  void it("doctor checks zfs, the pool and the users dataset", async () => {
    const before = await host.zfs().doctor();
    assert.deepEqual(
      before.map((check) => [check.name, check.ok]),
      [
        ["zfs", true],
        ["zfs pool", true],
        ["zfs users dataset", false],
      ],
    );
    await host.zfs().ensureReady();
    assert.ok((await host.zfs().doctor()).every((check) => check.ok));
  });
});
