/**
 * The VM base image the e2e tests share: built once into `VOXNIX_TEST_CACHE` by the QEMU
 * runtime, then reused by every VM test on the machine (its recipe key rebuilds it when the
 * image's recipe changes).
 *
 * @module
 */
import assert from "node:assert/strict";
import path from "node:path";
import { configSchema } from "../../src/app/config-schema.js";
import { createQemuRuntime, currentImage } from "../../src/runtimes/qemu/index.js";
import { CACHE_DIR, type E2eEnv } from "./harness.js";
import { directoryDiskVolumes } from "../../src/backends/storage/directory-disks.js";

/** Where the tests' VM images live. */
export const VM_IMAGE_DIR = path.join(CACHE_DIR, "vm-images");
/** Where debootstrap keeps the VM image's packages between builds. */
export const VM_PACKAGE_CACHE = path.join(CACHE_DIR, "vm-debs");

/** Builds the VM base image unless a current one is cached. */
export async function ensureVmImage(env: E2eEnv): Promise<void> {
  if (currentImage(VM_IMAGE_DIR, "bookworm") !== undefined) return;
  const config = configSchema.parse({ vm: { imageDir: VM_IMAGE_DIR, packageCache: VM_PACKAGE_CACHE } });
  const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
  const noop = () => undefined;
  const silent = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };
  const runtime = createQemuRuntime({
    config,
    stateDir: path.join(env.root, "image-build"),
    runner: env.runner,
    logger: silent,
    clock: { now: () => new Date() },
    leases,
    catalog: { list: () => [], get: () => undefined },
    diskVolumes: (request) => directoryDiskVolumes(env.runner, request.at!),
  });
  await runtime.buildImages({ onProgress: noop });
  assert.ok(currentImage(VM_IMAGE_DIR, "bookworm"));
}
