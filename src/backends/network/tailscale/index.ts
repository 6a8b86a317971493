/**
 * Tailscale remote access: per-container auth key files copied from the admin's configured
 * key, and checks for `voxnix doctor`. Logout before destroy and status for `show` run inside
 * the container and belong to the container backend.
 *
 * @module
 */
import { access, constants } from "node:fs/promises";
import type { BackendDeps } from "../../deps.js";
import type { DoctorCheck } from "../../../ports/container-backend.js";
import type { RemoteAccessProvider } from "../../../ports/remote-access.js";
import { fileMode, readAdminKey, removeKeyFile, writeKeyFile } from "./key-file.js";

export { tailscaleKeyFilePath, tailscaleKeyDir } from "./key-file.js";

/** Creates the provider, or returns undefined when no `tailscale.authKeyFile` is configured. */
export function createTailscaleRemoteAccess(deps: BackendDeps): RemoteAccessProvider | undefined {
  const authKeyFile = deps.config.tailscale.authKeyFile;
  if (authKeyFile === undefined || authKeyFile.trim() === "") return undefined;
  const logger = deps.logger.child({ component: "tailscale" });

  return {
    available: () => true,

    async prepareKeyFile(workload) {
      // The key lives only in this frame: read, written, dropped.
      const path = await writeKeyFile(deps.stateDir, workload, await readAdminKey(authKeyFile));
      logger.info({ workload, path }, "tailscale key file written");
      return { path };
    },

    async removeKeyFile(workload) {
      await removeKeyFile(deps.stateDir, workload);
      logger.info({ workload }, "tailscale key file removed");
    },

    async doctor() {
      return [await checkKeyFile(authKeyFile)];
    },
  };
}

async function checkKeyFile(authKeyFile: string): Promise<DoctorCheck> {
  const name = "tailscale auth key file";
  const mode = await fileMode(authKeyFile);
  if (mode === undefined) {
    return { name, ok: false, detail: `${authKeyFile} does not exist.`, fix: "Create it with a reusable, ephemeral auth key from the Tailscale admin console (agenix: age.secrets.tailscale-auth-key)." };
  }
  try {
    await access(authKeyFile, constants.R_OK);
  } catch {
    return { name, ok: false, detail: `${authKeyFile} is not readable by voxnix.`, fix: `Give the voxnix service user read access: chown voxnix ${authKeyFile}.` };
  }
  if ((mode & 0o004) !== 0) {
    return { name, ok: false, detail: `${authKeyFile} is readable by every user on the host (mode ${mode.toString(8)}).`, fix: `chmod 0400 ${authKeyFile}` };
  }
  try {
    await readAdminKey(authKeyFile);
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message, fix: "Put exactly one auth key in the file." };
  }
  return { name, ok: true, detail: `${authKeyFile} is present and private (mode ${mode.toString(8).padStart(4, "0")}).` };
}
