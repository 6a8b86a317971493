/**
 * The real core over the real nixos backend, ZFS driver and Tailscale provider, all driving
 * the fake host programs: create, stop, start after an unmount, destroy with a stopped
 * container and a failing storage cleanup, and a destroy followed by restore from the
 * snapshot that outlived the workspace, and a change whose restart fails rolled back to the
 * pinned generation.
 */
import { createRuntimeRegistry } from "../../../src/core/runtime-registry.js";
import assert from "node:assert/strict";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createCore } from "../../../src/core/create-core.js";
import { openDatabase, type VoxnixDatabase } from "../../../src/state/database.js";
import { createNixosRuntime } from "../../../src/runtimes/nixos/index.js";
import { createZfsStorage } from "../../../src/backends/storage/zfs/index.js";
import { createTailscaleRemoteAccess } from "../../../src/backends/network/tailscale/index.js";
import { TEST_POLICY } from "../../fakes/core-harness.js";
import { startFakeTailscaleApi, type FakeTailscaleApi } from "../../fakes/fake-tailscale-api.js";
import { FakeHost } from "./harness.js";
import { workloadOf } from "../../../src/core/api.js";

let api: FakeTailscaleApi;
const alice = { userId: "telegram:42" as const };
const WS = "tank/users/telegram_42/containers/dev/workspace";

let host: FakeHost;
let db: VoxnixDatabase;
beforeEach(async () => {
  host = new FakeHost();
  db = openDatabase(":memory:");
  api = await startFakeTailscaleApi();
  writeFileSync(join(host.root, "oauth-secret"), api.clientSecret, { mode: 0o400 });
});
afterEach(async () => {
  db.close();
  host.dispose();
  await api.close();
});

function core(env: Record<string, string> = {}) {
  const deps = host.deps(env, {
    tailscale: {
      oauthClientId: api.clientId,
      oauthClientSecretFile: join(host.root, "oauth-secret"),
      tags: ["tag:voxnix"],
      apiUrl: api.url,
    },
  });
  const remoteAccess = createTailscaleRemoteAccess(deps);
  assert.ok(remoteAccess);
  return createCore({
    db,
    runtimes: createRuntimeRegistry([createNixosRuntime(deps, { hostRoot: host.root })]),
    storage: createZfsStorage(deps),
    remoteAccess,
    catalog: deps.catalog,
    clock: deps.clock,
    logger: host.logger,
    policy: TEST_POLICY,
  });
}

async function destroy(instance: ReturnType<typeof core>, name: string) {
  const { token } = await instance.destroy(alice, name);
  return (await instance.confirm(alice, token)).wait();
}

void describe("core + nixos backend + zfs + tailscale over fake host programs", () => {
  void it("creates, restarts after an unmount, and reports a failed cleanup on destroy", async () => {
    const first = core();
    await (await first.create(alice, { name: "dev", modules: ["git", "tailscale"] })).wait();
    assert.equal(host.installed("dev"), true);
    assert.ok(host.zfsState().datasets[WS], "workspace created");
    assert.equal(JSON.parse(host.readFile("fake/last-create/spec.json")).workspace.hostPath, `/${WS}`);

    await first.stop(alice, "dev");
    const state = host.zfsState();
    state.datasets[WS]!.mounted = "no";
    host.writeZfsState(state);
    host.clearCalls();
    await first.start(alice, "dev");
    const lines = host.commandLines();
    assert.ok(lines.indexOf(`zfs mount ${WS}`) >= 0, "the workspace is mounted before start");
    assert.ok(lines.indexOf(`zfs mount ${WS}`) < lines.indexOf("nixos-container start dev"));

    await first.stop(alice, "dev");
    const result = await destroy(core({ FAKE_ZFS_FAIL: "destroy:containers/dev" }), "dev");
    assert.equal(host.installed("dev"), false);
    assert.ok(
      result.warnings.some((warning) => /Tailscale node of "dev" could not be logged out/.test(warning)),
      JSON.stringify(result.warnings),
    );
    assert.ok(
      result.warnings.some((warning) => /could not be deleted/.test(warning) && /dataset is busy/.test(warning)),
      JSON.stringify(result.warnings),
    );
    for (const secret of [api.clientSecret, ...api.keys.map((key) => key.key)])
      assert.equal(JSON.stringify(host.logger.records).includes(secret), false);
  });

  void it("a change whose restart fails is rolled back by the core to exactly the generation installed before", async () => {
    const first = core();
    await (await first.create(alice, { name: "dev", modules: ["git"] })).wait();
    const installed = () => realpathSync(join(host.root, "etc", "nixos-containers", "dev.conf"));
    const before = installed();
    // The sources moved on since the create, and the restart with the new definition fails.
    const failing = core({ FAKE_NIXPKGS_REV: "2", FAKE_EXTRA_CONTAINER_UPDATE: "restart-failure" });
    const answer = await failing.change(alice, "dev", { addModules: ["fish"] });
    assert.equal(answer.type, "needs-confirmation");
    if (answer.type !== "needs-confirmation") return;
    await assert.rejects((await failing.confirm(alice, answer.token)).wait(), /rolled back to its previous settings/);
    assert.equal(installed(), before, "the pinned generation is installed again, not a rebuild");
    assert.equal(host.container("dev")?.running, true, "and started, as it ran before");
    assert.deepEqual(workloadOf(await failing.show(alice, "dev")).spec.modules.includes("fish"), false);
  });

  void it("restores a destroyed workload from the snapshot that outlived its workspace", async () => {
    const instance = core();
    await (await instance.create(alice, { name: "dev", modules: ["git"] })).wait();
    const result = await destroy(instance, "dev");
    assert.deepEqual(result.warnings, []);
    assert.ok(result.snapshot, "a snapshot was kept");
    assert.equal(host.zfsState().datasets[WS], undefined);
    assert.ok(host.zfsState().snapshots.some((snapshot) => snapshot.startsWith("tank/users/telegram_42/trash/dev.")));

    await (await instance.restore(alice, "dev")).wait();
    assert.equal(host.installed("dev"), true);
    assert.equal(host.zfsState().datasets[WS]?.mounted, "yes");
    assert.match(host.zfsState().datasets[WS]?.rolledBackTo ?? "", /@voxnix-/);
  });
});
