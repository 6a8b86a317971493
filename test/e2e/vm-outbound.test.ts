/**
 * A VM with `vm.outbound: true` on real QEMU (TCG when KVM is unusable): the guest reaches the
 * outside (Debian's mirror, the one outside address this machine can reach) through user-mode
 * networking, but not the host: a service on the host's 127.0.0.1 (slirp's gateway 10.0.2.2
 * leads there) and one on the host's own LAN address are both refused, because QEMU runs as
 * `vm.runAs` and the outbound firewall (`outbound-filter.ts`) matches that user. Needs root,
 * qemu and iptables; the base image comes from `VOXNIX_TEST_CACHE` as in `vm.test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { after, before, describe } from "node:test";
import { configSchema } from "../../src/app/config-schema.js";
import type { WorkloadName } from "../../src/domain/names.js";
import { validateVmSpec, type VmSpec } from "../../src/domain/vm-spec.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { createQemuRuntime, currentImage, type QemuRuntime } from "../../src/runtimes/qemu/index.js";
import { CACHE_DIR, storySteps } from "./harness.js";
import { directoryDiskVolumes } from "../../src/backends/storage/directory-disks.js";

const MIRROR = "deb.debian.org";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root";
  for (const tool of [
    "/usr/bin/qemu-system-x86_64",
    "/usr/bin/qemu-img",
    "/usr/sbin/debootstrap",
    "/usr/bin/ssh",
    "/usr/sbin/mkfs.ext4",
  ]) {
    if (!existsSync(tool))
      return `${tool} is missing (apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils debootstrap openssh-client e2fsprogs)`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables"]).status !== 0) return "needs iptables";
  return undefined;
}

const noop = () => undefined;
const silent = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };

function listen(host: string): Promise<Server & { port: number }> {
  const server = createServer((socket) => socket.end("host secret\n"));
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port }))),
  );
}

describe(
  "a VM with outbound access reaches the outside, never the host",
  { skip: unavailable(), timeout: 30 * 60_000 },
  () => {
    const { step, failed } = storySteps();
    const runner = createCommandRunner();
    const name = "vmout" as WorkloadName;
    const servers: Server[] = [];
    let root: string;
    let runtime: QemuRuntime;
    let spec: VmSpec;

    before(() => {
      root = mkdtempSync("/var/tmp/vx-vm-out-");
      const config = configSchema.parse({
        vm: {
          outbound: true,
          imageDir: path.join(CACHE_DIR, "vm-images"),
          packageCache: path.join(CACHE_DIR, "vm-debs"),
          bootTimeoutSeconds: 360,
          stopTimeoutSeconds: 60,
        },
      });
      const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
      runtime = createQemuRuntime({
        config,
        stateDir: path.join(root, "state"),
        runner,
        logger: silent,
        clock: { now: () => new Date() },
        leases,
        catalog: { list: () => [], get: () => undefined },
        diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
      });
      spec = validateVmSpec({ name, cpus: 1, memory: "512M", disk: "3G" }, runtime.policy());
    });

    after(async () => {
      for (const server of servers) server.close();
      if (failed() && process.env.VOXNIX_INSPECT === "1") return;
      for (const vm of await runtime.list().catch(() => []))
        await runtime.destroy(vm.name as WorkloadName, { onProgress: noop }).catch(console.error);
      rmSync(root, { recursive: true, force: true });
    });

    /** Runs a bash probe in the guest; true when it printed `reached`. */
    const reaches = async (host: string, port: number): Promise<boolean> => {
      const probe = await runtime.exec(
        name,
        ["timeout", "15", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port} && echo reached`],
        { timeoutMs: 120_000 },
      );
      return probe.stdout.includes("reached");
    };

    step("the base image is there (built once, cached)", async () => {
      if (currentImage(runtime.paths.images, "bookworm") === undefined) await runtime.buildImages({ onProgress: noop });
      assert.ok(currentImage(runtime.paths.images, "bookworm"));
    });

    step("creates the VM; QEMU runs as vm.runAs", async () => {
      await runtime.create(spec, { ownerLabel: "local:alice", onProgress: noop });
      const pid = Number((await runtime.show(name))?.facts.pid);
      const user = spawnSync("ps", ["-o", "user=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();
      assert.equal(user, "voxnix-vm");
    });

    step("the guest reaches the outside: it resolves and connects to Debian's mirror", async () => {
      const hostCan = spawnSync("timeout", ["15", "bash", "-c", `exec 3<>/dev/tcp/${MIRROR}/80`]).status === 0;
      if (!hostCan) {
        console.error(`# not checked: this host cannot reach ${MIRROR}:80 itself`);
        return;
      }
      assert.equal(await reaches(MIRROR, 80), true);
    });

    step(
      "the guest reaches no host service: not on 127.0.0.1 (via 10.0.2.2), not on the host's own address",
      async () => {
        const loopback = await listen("127.0.0.1");
        const everywhere = await listen("0.0.0.0");
        servers.push(loopback, everywhere);
        assert.equal(await reaches("10.0.2.2", loopback.port), false, "the host's loopback through slirp's gateway");
        const own = Object.values(networkInterfaces())
          .flat()
          .find((address) => address?.family === "IPv4" && !address.internal)?.address;
        assert.ok(own, "the host has a non-loopback IPv4 address");
        assert.equal(await reaches(own, everywhere.port), false, `the host's own address ${own}`);
      },
    );
  },
);
