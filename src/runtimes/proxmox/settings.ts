/**
 * The Proxmox runtime's settings, derived once from `config.proxmox` (validated by the config
 * schema) so the runtime never reads raw configuration.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { RuntimeConfig as Config } from "../../backends/deps.js";
import { HostFailureError } from "../../domain/errors.js";
import type { VmidRange } from "../../state/proxmox-vmids-repository.js";
import type { PlacementStrategy } from "./placement.js";
import type { TlsTrust } from "./tls.js";

export interface ProxmoxSettings {
  readonly url: string;
  readonly tokenId: string;
  readonly tokenSecretFile: string;
  readonly caFile: string | undefined;
  readonly fingerprint: string | undefined;
  readonly template: number;
  readonly storage: string | undefined;
  readonly pool: string | undefined;
  readonly nodes: readonly string[];
  readonly vmidRange: VmidRange;
  readonly placement: PlacementStrategy;
  readonly cloneMode: "auto" | "linked" | "full";
  readonly disk: string;
  readonly ciUser: string;
  readonly ipConfig: string;
  readonly backupStorage: string | undefined;
  /** Whether `logs` may run journalctl in managed VMs through the guest agent. */
  readonly journalViaAgent: boolean;
  /** VMIDs of imported VMs voxnix may start and stop. */
  readonly powerControlImports: ReadonlySet<number>;
  readonly requestTimeoutMs: number;
  readonly taskTimeoutMs: number;
  readonly bootTimeoutMs: number;
  /** Templates a VM spec may name besides `template`. */
  readonly templates: readonly number[];
  /** The workspace disk's key (`scsi1`) and storage (undefined: the root disk's). */
  readonly workspaceDisk: string;
  readonly workspaceStorage: string | undefined;
}

/** The settings, or undefined when Proxmox is not configured (`proxmox.url` unset). */
export function proxmoxSettings(config: Config): ProxmoxSettings | undefined {
  const proxmox = config.proxmox;
  if (
    proxmox.url === undefined ||
    proxmox.tokenId === undefined ||
    proxmox.tokenSecretFile === undefined ||
    proxmox.template === undefined
  )
    return undefined;
  return {
    url: proxmox.url,
    tokenId: proxmox.tokenId,
    tokenSecretFile: proxmox.tokenSecretFile,
    caFile: proxmox.tls.caFile,
    fingerprint: proxmox.tls.fingerprint,
    template: proxmox.template,
    storage: proxmox.storage,
    pool: proxmox.pool,
    nodes: proxmox.nodes,
    vmidRange: proxmox.vmidRange,
    placement: proxmox.placement,
    cloneMode: proxmox.cloneMode,
    disk: proxmox.disk,
    ciUser: proxmox.ciUser,
    ipConfig: proxmox.ipConfig,
    backupStorage: proxmox.backupBeforeDestroy?.storage,
    journalViaAgent: proxmox.journalViaAgent,
    powerControlImports: new Set(proxmox.imports.filter((entry) => entry.allowPowerControl).map((entry) => entry.vmid)),
    requestTimeoutMs: proxmox.requestTimeoutSeconds * 1000,
    taskTimeoutMs: proxmox.taskTimeoutSeconds * 1000,
    bootTimeoutMs: proxmox.bootTimeoutSeconds * 1000,
    templates: proxmox.templates,
    workspaceDisk: proxmox.workspaceDisk,
    workspaceStorage: proxmox.workspaceStorage,
  };
}

/** Reads the trust anchor the settings name (the CA file's contents), or the system trust. */
export async function readTlsTrust(settings: ProxmoxSettings): Promise<TlsTrust> {
  if (settings.fingerprint !== undefined) return { kind: "fingerprint", sha256: settings.fingerprint };
  if (settings.caFile !== undefined) {
    try {
      return { kind: "ca", caPem: await readFile(settings.caFile, "utf8") };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new HostFailureError(
        `The Proxmox CA file (proxmox.tls.caFile) could not be read (${code}).`,
        `${settings.caFile}: ${code}`,
      );
    }
  }
  return { kind: "system" };
}

/** Reads the token secret: exactly one word (Proxmox secrets are UUIDs); its content never appears in errors. */
export async function readTokenSecret(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new HostFailureError(
      `The Proxmox token secret file (proxmox.tokenSecretFile) could not be read (${code}).`,
      `${file}: ${code}`,
    );
  }
  const secret = text.trim();
  if (secret.length === 0 || /\s/.test(secret)) {
    throw new HostFailureError(
      "The Proxmox token secret file (proxmox.tokenSecretFile) is empty or holds more than one word; it must contain just the secret.",
      `${file}: unexpected content (not shown)`,
    );
  }
  return secret;
}
