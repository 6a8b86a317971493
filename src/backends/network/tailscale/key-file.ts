/**
 * Per-container Tailscale auth key files. Each container's own minted key lands atomically at
 * `<stateDir>/secrets/tailscale/<name>.key` (directory 0700, file 0400) so it can be
 * bind-mounted read-only into that one container; it is never logged. The OAuth client secret
 * is read from its file only while a token is requested.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { HostFailureError, InvalidInputError } from "../../../domain/errors.js";
import { isWorkloadName } from "../../../domain/names.js";

/** The directory holding per-container key files. */
export function tailscaleKeyDir(stateDir: string): string {
  return join(stateDir, "secrets", "tailscale");
}

/** Where a container's key file lives. */
export function tailscaleKeyFilePath(stateDir: string, workload: string): string {
  return join(tailscaleKeyDir(stateDir), `${workload}.key`);
}

/**
 * Reads a one-word secret from `file`, trimmed; `key` names the config key and `label` the
 * file in messages. The error never contains any of the file's contents.
 */
export async function readSecretFile(file: string, key: string, label: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new HostFailureError(
      `${label} (${key}) could not be read (${code}); remote access is unavailable until it is fixed.`,
      `${file}: ${code}`,
    );
  }
  const secret = text.trim();
  if (secret.length === 0 || /\s/.test(secret)) {
    throw new HostFailureError(
      `${label} (${key}) is empty or holds more than one word; it must contain just the secret.`,
      `${file}: unexpected content (not shown)`,
    );
  }
  return secret;
}

/** Writes `key` for `workload` atomically (temp file 0600 → 0400 → rename) and returns the path. */
export async function writeKeyFile(stateDir: string, workload: string, key: string): Promise<string> {
  assertWorkload(workload);
  const directory = tailscaleKeyDir(stateDir);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const target = tailscaleKeyFilePath(stateDir, workload);
  const temporary = join(directory, `.${workload}.key.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(`${key}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temporary, 0o400);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new HostFailureError(
      `The Tailscale key file for "${workload}" could not be written (${code}).`,
      `${target}: ${code}`,
    );
  }
  return target;
}

/** Removes a container's key file; a missing one succeeds. */
export async function removeKeyFile(stateDir: string, workload: string): Promise<void> {
  assertWorkload(workload);
  await rm(tailscaleKeyFilePath(stateDir, workload), { force: true });
}

/** The mode bits of a file, or undefined when it does not exist. */
export async function fileMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

// Names become file names; anything that is not a valid workload name could escape the directory.
function assertWorkload(workload: string): void {
  if (!isWorkloadName(workload))
    throw new InvalidInputError([{ path: "name", message: `"${workload}" is not a valid workload name.` }]);
}
