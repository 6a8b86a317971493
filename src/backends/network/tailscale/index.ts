/**
 * Tailscale remote access with per-container keys: for each container that asks for remote
 * access, voxnix mints a new auth key through the Tailscale API with the admin's OAuth client
 * (`tailscale.oauthClientId` + `tailscale.oauthClientSecretFile`). Each key is single-use,
 * pre-authorised and tagged (`tailscale.tags`), so root in a container holds only a key that
 * is already spent once its node joined, never a credential that could add more devices. The
 * key goes to a 0400 file bind-mounted read-only into that one container; it is never logged,
 * never on a command line and never in the Nix store. Logout before destroy and status for
 * `show` run inside the container and belong to the container backend.
 *
 * @module
 */
import { access, constants } from "node:fs/promises";
import type { BackendDeps } from "../../deps.js";
import type { DoctorCheck } from "../../../ports/runtime.js";
import type { RemoteAccessProvider } from "../../../ports/remote-access.js";
import { TailscaleApi } from "./api.js";
import { fileMode, readSecretFile, removeKeyFile, writeKeyFile } from "./key-file.js";

export { tailscaleKeyFilePath, tailscaleKeyDir } from "./key-file.js";

/** Creates the provider, or returns undefined when no OAuth client is configured. */
export function createTailscaleRemoteAccess(deps: BackendDeps): RemoteAccessProvider | undefined {
  const settings = deps.config.tailscale;
  const clientId = settings.oauthClientId;
  const secretFile = settings.oauthClientSecretFile;
  if (clientId === undefined || secretFile === undefined) return undefined;
  const logger = deps.logger.child({ component: "tailscale" });
  const api = new TailscaleApi({
    baseUrl: settings.apiUrl,
    tailnet: settings.tailnet,
    clientId,
    readClientSecret: () =>
      readSecretFile(secretFile, "tailscale.oauthClientSecretFile", "The Tailscale OAuth client secret file"),
    timeoutMs: settings.requestTimeoutSeconds * 1000,
  });

  return {
    available: () => true,

    async prepareKeyFile(workload) {
      // The key lives only in this frame: minted, written, dropped.
      const minted = await api.createAuthKey({
        tags: settings.tags,
        ephemeral: settings.ephemeral,
        expirySeconds: settings.keyExpirySeconds,
        description: `voxnix ${workload}`,
      });
      const path = await writeKeyFile(deps.stateDir, workload, minted.key);
      logger.info({ workload, path, keyId: minted.id, tags: settings.tags }, "tailscale key minted and written");
      return { path };
    },

    async removeKeyFile(workload) {
      await removeKeyFile(deps.stateDir, workload);
      logger.info({ workload }, "tailscale key file removed");
    },

    async doctor() {
      return [await checkSecretFile(secretFile)];
    },
  };
}

async function checkSecretFile(file: string): Promise<DoctorCheck> {
  const name = "tailscale OAuth client secret file";
  const mode = await fileMode(file);
  if (mode === undefined) {
    return {
      name,
      ok: false,
      detail: `${file} does not exist.`,
      fix: "Create an OAuth client with the auth_keys scope and your tags in the Tailscale admin console, and put its secret in this file (agenix).",
    };
  }
  try {
    await access(file, constants.R_OK);
  } catch {
    return {
      name,
      ok: false,
      detail: `${file} is not readable by voxnix.`,
      fix: `Give the voxnix service user read access: chown voxnix ${file}.`,
    };
  }
  if ((mode & 0o004) !== 0) {
    return {
      name,
      ok: false,
      detail: `${file} is readable by every user on the host (mode ${mode.toString(8)}).`,
      fix: `chmod 0400 ${file}`,
    };
  }
  try {
    await readSecretFile(file, "tailscale.oauthClientSecretFile", "The Tailscale OAuth client secret file");
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message, fix: "Put exactly the client secret in the file." };
  }
  return { name, ok: true, detail: `${file} is present and private (mode ${mode.toString(8).padStart(4, "0")}).` };
}
