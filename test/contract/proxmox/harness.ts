/**
 * One Proxmox runtime wired to a fresh fake cluster: an in-memory database with the ledger, a
 * 0400 token secret file, the fake's certificate pinned by fingerprint, a recording logger,
 * and fast polling so tasks settle in milliseconds.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../../../src/app/config-schema.js";
import {
  createProxmoxRuntime,
  proxmoxSettings,
  type ProxmoxRuntime,
  type ProxmoxSettings,
  type VmSpec,
} from "../../../src/runtimes/proxmox/index.js";
import type { ProgressEvent } from "../../../src/ports/runtime.js";
import { systemClock } from "../../../src/ports/clock.js";
import { openDatabase, type VoxnixDatabase } from "../../../src/state/database.js";
import {
  createProxmoxVmidsRepository,
  type ProxmoxVmidsRepository,
} from "../../../src/state/proxmox-vmids-repository.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import {
  startFakeProxmoxServer,
  type FakeProxmoxOptions,
  type FakeProxmoxServer,
} from "../../fakes/fake-proxmox-server.js";
import { DEFAULT_VM_POLICY, validateVmSpec } from "../../../src/domain/vm-spec.js";

export interface ProxmoxHarness {
  readonly fake: FakeProxmoxServer;
  readonly runtime: ProxmoxRuntime;
  readonly ledger: ProxmoxVmidsRepository;
  readonly db: VoxnixDatabase;
  readonly logger: FakeLogger;
  readonly settings: ProxmoxSettings;
  readonly secretFile: string;
  readonly dir: string;
  /** Progress events every call made through `onProgress` received. */
  readonly events: ProgressEvent[];
  readonly onProgress: (event: ProgressEvent) => void;
  /** A second runtime over the same fake and database, with other `proxmox.*` overrides. */
  runtimeWith(overrides: Record<string, unknown>): ProxmoxRuntime;
  close(): Promise<void>;
}

export const ED25519_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";

/** A valid VM spec with overrides. */
export function vmSpec(name: string, overrides: Partial<VmSpec> = {}): VmSpec {
  const spec = validateVmSpec(
    { name, cpus: 2, memory: "2G", disk: "8G", workspace: "1G", sshKeys: [ED25519_KEY] },
    { ...DEFAULT_VM_POLICY, maxDiskBytes: 2048 * 1024 ** 3, maxMemoryBytes: 256 * 1024 ** 3, maxCpus: 64 },
  );
  return { ...spec, ...overrides };
}

export async function createProxmoxHarness(
  options: { fake?: FakeProxmoxOptions; proxmox?: Record<string, unknown>; databasePath?: string } = {},
): Promise<ProxmoxHarness> {
  const fake = await startFakeProxmoxServer(options.fake);
  const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-"));
  const secretFile = join(dir, "proxmox-token");
  writeFileSync(secretFile, `${fake.tokenSecret}\n`, { mode: 0o400 });
  const db = openDatabase(options.databasePath ?? ":memory:");
  const ledger = createProxmoxVmidsRepository(db);
  const logger = new FakeLogger();
  const events: ProgressEvent[] = [];
  const build = (overrides: Record<string, unknown>) => {
    const config = configSchema.parse({
      proxmox: {
        url: fake.url,
        tokenId: fake.tokenId,
        tokenSecretFile: secretFile,
        tls: { fingerprint: fake.fingerprint },
        template: 9000,
        vmidRange: { first: 10_000, last: 10_099 },
        taskTimeoutSeconds: 10,
        bootTimeoutSeconds: 10,
        requestTimeoutSeconds: 10,
        ...options.proxmox,
        ...overrides,
      },
    });
    const settings = proxmoxSettings(config)!;
    return { settings, runtime: createProxmoxRuntime({ settings, ledger, clock: systemClock, logger, pollMs: 5 }) };
  };
  const { settings, runtime } = build({});
  const extra: ProxmoxRuntime[] = [];
  return {
    fake,
    runtime,
    ledger,
    db,
    logger,
    settings,
    secretFile,
    dir,
    events,
    onProgress: (event) => void events.push(event),
    runtimeWith(overrides) {
      const built = build(overrides).runtime;
      extra.push(built);
      return built;
    },
    async close() {
      await Promise.all([runtime, ...extra].map((entry) => entry.close()));
      await fake.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The VMs in the fake that are not templates. */
export function fakeGuests(fake: FakeProxmoxServer) {
  return [...fake.vms.values()].filter((vm) => !vm.template);
}

/** Creates the VM, then returns what `show` says about it (VMID, node, addresses). */
export async function createAndShow(h: ProxmoxHarness, spec: VmSpec, ownerLabel = "telegram:42") {
  await h.runtime.create(spec, { ownerLabel, onProgress: h.onProgress });
  const shown = await h.runtime.show(spec.name);
  if (!shown) throw new Error(`${spec.name} was created but show does not find it`);
  return shown;
}
