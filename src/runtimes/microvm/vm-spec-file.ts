/**
 * The VM spec as nix/lib/vm-guest.nix reads it (`vm-spec.json`, version 1): sizes in MiB, the
 * volumes' and the seed's host paths, the network, the owner's public keys. It holds paths and
 * public keys only; the host key's private half stays in the seed directory, so it never
 * enters the Nix store. The Nix side validates every field again (nix/lib/validate-vm.nix).
 *
 * @module
 */
import type { VmSpec } from "../../domain/vm-spec.js";
import type { MicrovmVmPaths } from "./paths.js";

/** The JSON document `nix/lib/microvm-build.nix` builds a runner from. */
export interface MicrovmSpecFile {
  readonly version: 1;
  readonly kind: "vm";
  readonly name: string;
  readonly owner: string;
  readonly hypervisor: "qemu" | "cloud-hypervisor";
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly rootDisk: { readonly image: string; readonly sizeMiB: number };
  readonly workspace: { readonly image: string; readonly sizeMiB: number };
  readonly seedDirectory: string;
  readonly network: { readonly type: "user"; readonly sshPort: number };
  readonly sshKeys: readonly string[];
  readonly autoStart: boolean;
}

const MiB = 1024 ** 2;

/** The spec file for `spec` (sizes are whole MiB: `validateVmSpec` guarantees it). */
export function microvmSpecFile(
  spec: VmSpec,
  files: MicrovmVmPaths,
  options: { readonly owner: string; readonly sshPort: number; readonly hypervisor: "qemu" },
): MicrovmSpecFile {
  return {
    version: 1,
    kind: "vm",
    name: spec.name,
    owner: options.owner,
    hypervisor: options.hypervisor,
    cpus: spec.cpus,
    memoryMiB: Math.floor(spec.memoryBytes / MiB),
    rootDisk: { image: files.rootVolume, sizeMiB: Math.floor(spec.diskBytes / MiB) },
    workspace: { image: files.workspace, sizeMiB: Math.floor(spec.workspaceBytes / MiB) },
    seedDirectory: files.seed,
    network: { type: "user", sshPort: options.sshPort },
    sshKeys: [...spec.sshKeys],
    // voxnix starts its VMs itself (autostart), never the host at boot.
    autoStart: false,
  };
}
