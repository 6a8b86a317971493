/**
 * The per-VM seed and keys, made on the host without mounting anything: the seed (a tar
 * archive of `seedFiles`, written once into the VM's disk folder before the guest first sees
 * it) and the two SSH key pairs. The root and workspace disks come from the storage port
 * (`DiskVolumes.createOverlay`, `createWorkspaceDisk`); this runtime never makes a disk image.
 *
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { VmSpec } from "../../domain/vm-spec.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { runChecked } from "../../host/commands.js";
import { seedFiles, type SeedKeys } from "./guest-files.js";
import type { VmPaths } from "./paths.js";
import { hostKeyAlias } from "./ssh.js";

/** Generates an ed25519 key pair at `file` (and `file.pub`). */
async function keyPair(
  runner: CommandRunner,
  file: string,
  comment: string,
): Promise<{ readonly privateKey: string; readonly publicKey: string }> {
  await runChecked(runner, "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], {
    what: "generate an SSH key",
  });
  return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim() };
}

/**
 * Generates the client key (kept) and the guest's host key (only inside the seed), writes the
 * seed and the pinned known_hosts entry.
 */
export async function createSeed(runner: CommandRunner, paths: VmPaths, spec: VmSpec): Promise<void> {
  const client = await keyPair(runner, paths.clientKey, `voxnix@${spec.name}`);
  const work = path.join(paths.dir, "seed.d");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { mode: 0o700 });
  try {
    const host = await keyPair(runner, path.join(work, "host-key"), `root@${spec.name}`);
    const keys: SeedKeys = { hostPrivate: host.privateKey, hostPublic: host.publicKey, clientPublic: client.publicKey };
    const files = seedFiles(spec, keys);
    rmSync(path.join(work, "host-key"));
    rmSync(path.join(work, "host-key.pub"));
    for (const file of files) {
      writeFileSync(path.join(work, file.path), file.content, { mode: file.mode, flag: "wx" });
      chmodSync(path.join(work, file.path), file.mode);
    }
    await runChecked(
      runner,
      "tar",
      [
        "--create",
        "--format=ustar",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        `--file=${paths.seed}`,
        "-C",
        work,
        "--",
        ...files.map((file) => file.path),
      ],
      { what: "write the VM's seed disk" },
    );
    chmodSync(paths.seed, 0o600);
    const [type, blob] = host.publicKey.split(" ");
    writeFileSync(paths.knownHosts, `${hostKeyAlias(spec.name)} ${type} ${blob}\n`, { mode: 0o600 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
