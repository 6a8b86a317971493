/**
 * Per-container Tailscale auth key files. The admin's key is read from
 * `tailscale.authKeyFile` only while a copy is written, never kept in memory longer and
 * never logged; the copy lands atomically at `<stateDir>/secrets/tailscale/<name>.key`
 * (directory 0700, file 0400) so it can be bind-mounted read-only into that one container.
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

/** Reads the admin's key, trimmed; the error never contains any of the file's contents. */
export async function readAdminKey(authKeyFile: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(authKeyFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new HostFailureError(
      `The Tailscale auth key file (tailscale.authKeyFile) could not be read (${code}); remote access is unavailable until it is fixed.`,
      `${authKeyFile}: ${code}`,
    );
  }
  const key = text.trim();
  if (key.length === 0 || /\s/.test(key)) {
    throw new HostFailureError(
      "The Tailscale auth key file (tailscale.authKeyFile) is empty or holds more than one word; it must contain just the key.",
      `${authKeyFile}: unexpected content (not shown)`,
    );
  }
  return key;
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
    throw new HostFailureError(`The Tailscale key file for "${workload}" could not be written (${code}).`, `${target}: ${code}`);
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
  if (!isWorkloadName(workload)) throw new InvalidInputError([{ path: "name", message: `"${workload}" is not a valid workload name.` }]);
}
