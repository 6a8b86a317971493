/**
 * The fleet steps after a VM from a definitions file is up (entries with `nixos: true`):
 *
 * 1. Install or switch NixOS by running the admin's command (`proxmox.fleet.nixosCommand`,
 *    argv with `{name}`, `{address}`, `{user}` filled in; e.g. nixos-anywhere or
 *    `nixos-rebuild --target-host`). Skipped with a note when unset.
 * 2. Read the host's new SSH key with the real `ssh-keyscan` (after the install, which replaces
 *    the key) and pin it: a known_hosts line and a record in `host-keys.json` next to it.
 *    When the install command has an `{extraFiles}` argument (nixos-anywhere's
 *    `--extra-files`), voxnix first generates the host's ed25519 key itself into a private
 *    folder laid out as the new root (`etc/ssh/ssh_host_ed25519_key`), passes the folder, and
 *    deletes it after the install; the scanned key must then be exactly that key, or the step
 *    fails with both fingerprints and nothing is pinned (no trust on first use).
 * 3. Turn the key into an age recipient (`domain/age-recipient.ts`).
 * 4. Re-encrypt the secrets files the entry lists for the recipients that should read them: the
 *    admin's (`secrets.recipientsFile`) plus every pinned host whose entry lists that file. A
 *    VM belongs to a tenant, whose root is hostile, so a host only ever gets the files its own
 *    entry names, never all of them. `age` decrypts with the admin's identity file and encrypts
 *    again from standard input: the plaintext is never in argv, a log, a temporary file or
 *    the Nix store; the new file replaces the old one by rename.
 *
 * A missing tool (`ssh-keyscan`, `age`) skips its step with a note instead of failing, as the
 * issue asks; a tool that runs and fails fails the step (and so rolls the apply back).
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HostFailureError, InvalidInputError } from "../domain/errors.js";
import type { CommandRunner } from "../ports/command-runner.js";
import type { ProgressListener } from "../ports/runtime.js";
import { ageRecipientOf, ed25519KeyOf } from "../domain/age-recipient.js";
import type { FleetStepResult } from "./apply.js";
import type { ManagedVmDefinition } from "./definitions.js";
import { rekeyWithAgenix, rekeyWithSops, type SecretsToolSettings, type ToolOutcome } from "./secrets-tools.js";

export interface FleetSettings {
  readonly nixosCommand?: readonly string[];
  readonly nixosDirectory?: string;
  readonly nixosTimeoutMs: number;
  readonly sshUser: string;
  /** SSH port of the VMs (22; tests point it at a real sshd elsewhere). */
  readonly sshPort: number;
  /** Pinned host keys (OpenSSH known_hosts); `host-keys.json` lives next to it. */
  readonly knownHostsFile: string;
  readonly secrets?: SecretsToolSettings & { readonly recipientsFile?: string; readonly files: readonly string[] };
}

/** A pinned host, as recorded in `host-keys.json`. */
export interface PinnedHost {
  readonly address: string;
  readonly port: number;
  readonly hostKey: string;
  readonly ageRecipient: string;
  /** The secrets files its entry lists. */
  readonly secrets: readonly string[];
}

const KEYSCAN_TIMEOUT_MS = 30_000;
const AGE_TIMEOUT_MS = 60_000;

/** The pinned hosts by VM name (empty when none were pinned yet). */
export async function readPinnedHosts(settings: FleetSettings): Promise<Record<string, PinnedHost>> {
  try {
    return JSON.parse(await readFile(hostKeysFile(settings), "utf8")) as Record<string, PinnedHost>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new HostFailureError(
      `The pinned host keys (${hostKeysFile(settings)}) could not be read.`,
      (error as Error).message,
    );
  }
}

/** Runs the steps for `vm`, which is up at `address`. */
export async function runFleetSteps(
  runner: CommandRunner,
  settings: FleetSettings,
  vm: ManagedVmDefinition,
  address: string,
  onProgress: ProgressListener,
): Promise<FleetStepResult> {
  const notes: string[] = [];
  const wanted = vm.secrets;
  const unknown = wanted.filter((file) => !(settings.secrets?.files ?? []).includes(file));
  if (unknown.length > 0) {
    throw new InvalidInputError([
      {
        path: `vms.${vm.name}.secrets`,
        message: `${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in proxmox.fleet.secrets.files; only files the admin configured can be given to a VM.`,
      },
    ]);
  }

  let expected: string | undefined;
  if (settings.nixosCommand === undefined) notes.push("nixos: skipped, proxmox.fleet.nixosCommand is not set");
  else if (!settings.nixosCommand.some((argument) => argument.includes("{extraFiles}")))
    await installNixos(runner, settings, vm.name, address, onProgress);
  else {
    const pending = await pregenerateHostKey(runner, settings, vm.name);
    try {
      expected = pending.publicKey;
      await installNixos(runner, settings, vm.name, address, onProgress, pending.directory);
    } finally {
      await rm(pending.directory, { recursive: true, force: true });
    }
  }

  onProgress({
    type: "step",
    step: "waiting-for-boot",
    message: `Reading the SSH host key of ${vm.name} (${address})`,
  });
  const hostKey = await scanHostKey(runner, settings, address);
  if (hostKey === undefined) {
    notes.push("host key: skipped, ssh-keyscan is not installed");
    return { notes };
  }
  if (expected !== undefined && expected !== hostKey) {
    throw new HostFailureError(
      `The host key of ${vm.name} (${address}) is not the one voxnix generated for it: expected ${fingerprintOf(expected)}, the host showed ${fingerprintOf(hostKey)}. Nothing was pinned or re-encrypted; check that the install command passes {extraFiles} (nixos-anywhere --extra-files) and that nothing else answers at ${address}.`,
      "host key mismatch",
    );
  }
  const ageRecipient = ageRecipientOf(hostKey);
  await pinHost(settings, vm.name, { address, port: settings.sshPort, hostKey, ageRecipient, secrets: wanted });

  const reencrypted: string[] = [];
  if (wanted.length > 0 && settings.secrets) {
    onProgress({
      type: "step",
      step: "installing",
      message: `Re-encrypting ${wanted.join(", ")} for ${vm.name} (${settings.secrets.tool ?? "age"})`,
    });
    const outcome = await reencryptSecrets(runner, settings.secrets, wanted, await readPinnedHosts(settings), []);
    reencrypted.push(...outcome.reencrypted);
    notes.push(...outcome.notes);
  }
  return { hostKey, ageRecipient, reencrypted, notes };
}

/** Fills `{name}`, `{address}`, `{user}` and `{extraFiles}` in the install command (whole or part arguments). */
export function installArgv(
  command: readonly string[],
  values: { readonly name: string; readonly address: string; readonly user: string; readonly extraFiles?: string },
): string[] {
  const filled = { ...values, extraFiles: values.extraFiles ?? "" };
  return command.map((argument) =>
    argument.replace(
      /\{(name|address|user|extraFiles)\}/g,
      (_match, key: "name" | "address" | "user" | "extraFiles") => filled[key],
    ),
  );
}

/** OpenSSH's fingerprint of a public key line: `SHA256:` and the unpadded base64 of the key blob's SHA-256. */
export function fingerprintOf(line: string): string {
  const blob = Buffer.from(line.trim().split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

// The host key voxnix generates before the install, in a private folder shaped like the new root.
async function pregenerateHostKey(
  runner: CommandRunner,
  settings: FleetSettings,
  name: string,
): Promise<{ directory: string; publicKey: string }> {
  const base = dirname(settings.knownHostsFile);
  await mkdir(base, { recursive: true, mode: 0o700 });
  const directory = await mkdtemp(join(base, "pending-"));
  try {
    await mkdir(join(directory, "etc", "ssh"), { recursive: true, mode: 0o755 });
    const keyFile = join(directory, "etc", "ssh", "ssh_host_ed25519_key");
    const made = await runner.run(
      "ssh-keygen",
      ["-q", "-t", "ed25519", "-N", "", "-C", `root@${name}`, "-f", keyFile],
      { timeoutMs: KEYSCAN_TIMEOUT_MS },
    );
    if (made.exitCode !== 0)
      throw new HostFailureError(
        `ssh-keygen could not generate the host key of ${name}.`,
        made.stderr.trim().slice(-500),
      );
    const publicKey = (await readFile(`${keyFile}.pub`, "utf8")).trim().split(/\s+/).slice(0, 2).join(" ");
    ed25519KeyOf(publicKey);
    return { directory, publicKey };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function installNixos(
  runner: CommandRunner,
  settings: FleetSettings,
  name: string,
  address: string,
  onProgress: ProgressListener,
  extraFiles?: string,
): Promise<void> {
  const [program, ...args] = installArgv(settings.nixosCommand!, {
    name,
    address,
    user: settings.sshUser,
    ...(extraFiles ? { extraFiles } : {}),
  });
  onProgress({ type: "step", step: "installing", message: `Installing NixOS on ${name}: ${program}` });
  const result = await runner.run(program!, args, {
    timeoutMs: settings.nixosTimeoutMs,
    ...(settings.nixosDirectory ? { cwd: settings.nixosDirectory } : {}),
    onOutput: (_stream, chunk) => {
      for (const line of chunk.split("\n"))
        if (line.trim().length > 0) onProgress({ type: "log", line: line.slice(0, 500) });
    },
  });
  if (result.exitCode !== 0) {
    throw new HostFailureError(
      `The NixOS install command for ${name} failed (exit ${result.exitCode}).`,
      `${program}: ${result.stderr.trim().split("\n").slice(-12).join("\n")}`,
    );
  }
}

// `ssh-keyscan` prints `host ssh-ed25519 AAAA…` lines; only an ed25519 key is accepted.
export async function scanHostKey(
  runner: CommandRunner,
  settings: FleetSettings,
  address: string,
): Promise<string | undefined> {
  let result;
  try {
    result = await runner.run(
      "ssh-keyscan",
      ["-T", "10", "-p", String(settings.sshPort), "-t", "ed25519", "--", address],
      { timeoutMs: KEYSCAN_TIMEOUT_MS },
    );
  } catch (error) {
    if (error instanceof HostFailureError && /not installed/.test(error.message)) return undefined;
    throw error;
  }
  for (const line of result.stdout.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 3 && !fields[0]!.startsWith("#") && fields[1] === "ssh-ed25519") {
      const key = `ssh-ed25519 ${fields[2]}`;
      ed25519KeyOf(key);
      return key;
    }
  }
  throw new HostFailureError(
    `${address} did not show an ssh-ed25519 host key (is sshd running on port ${settings.sshPort}?).`,
    result.stderr.trim().slice(-500),
  );
}

function hostKeysFile(settings: FleetSettings): string {
  return join(dirname(settings.knownHostsFile), "host-keys.json");
}

export async function pinHost(settings: FleetSettings, name: string, host: PinnedHost): Promise<void> {
  await mkdir(dirname(settings.knownHostsFile), { recursive: true, mode: 0o700 });
  const pinned = await readPinnedHosts(settings);
  pinned[name] = host;
  await writeAtomically(hostKeysFile(settings), `${JSON.stringify(pinned, null, 2)}\n`);
  // known_hosts: one line per pinned host, `[addr]:port` when the port is not 22.
  const lines = Object.values(pinned).map(
    (entry) => `${entry.port === 22 ? entry.address : `[${entry.address}]:${entry.port}`} ${entry.hostKey}`,
  );
  await writeAtomically(settings.knownHostsFile, `${lines.join("\n")}\n`);
}

/**
 * Re-encrypts `files` for the admin's recipients plus every pinned host that lists each file,
 * with the configured tool (`secrets-tools.ts`); `removed` are recipients of a replaced host key.
 */
export async function reencryptSecrets(
  runner: CommandRunner,
  secrets: NonNullable<FleetSettings["secrets"]>,
  files: readonly string[],
  pinned: Readonly<Record<string, PinnedHost>>,
  removed: readonly string[],
): Promise<ToolOutcome> {
  const recipientsOf = (file: string) => [
    ...new Set(
      Object.values(pinned)
        .filter((host) => host.secrets.includes(file))
        .map((host) => host.ageRecipient),
    ),
  ];
  const tool = secrets.tool ?? "age";
  if (tool === "sops")
    return rekeyWithSops(runner, secrets, files, new Map(files.map((file) => [file, recipientsOf(file)])), removed);
  // agenix re-keys every file secrets.nix lists, so the hosts file covers every configured file.
  if (tool === "agenix")
    return rekeyWithAgenix(runner, secrets, files, new Map(secrets.files.map((file) => [file, recipientsOf(file)])));
  const reencrypted: string[] = [];
  for (const file of files) {
    if (!(await reencrypt(runner, secrets, file, recipientsOf(file))))
      return { reencrypted, notes: ["secrets: skipped, age is not installed"] };
    reencrypted.push(file);
  }
  return { reencrypted, notes: [] };
}

// Decrypts with the admin's identity, encrypts to the admin's recipients plus `hosts`; false when age is missing.
export async function reencrypt(
  runner: CommandRunner,
  secrets: NonNullable<FleetSettings["secrets"]>,
  file: string,
  hosts: readonly string[],
): Promise<boolean> {
  let plain;
  try {
    plain = await runner.run("age", ["--decrypt", "--identity", secrets.identityFile, "--", file], {
      timeoutMs: AGE_TIMEOUT_MS,
      maxOutputBytes: 16 * 1024 * 1024,
    });
  } catch (error) {
    if (error instanceof HostFailureError && /not installed/.test(error.message)) return false;
    throw error;
  }
  if (plain.exitCode !== 0 || plain.truncated)
    throw new HostFailureError(
      `age could not decrypt ${file} with proxmox.fleet.secrets.identityFile.`,
      plain.stderr.trim().slice(-500),
    );
  const target = `${file}.voxnix-${randomBytes(6).toString("hex")}`;
  const recipients = [
    ...(secrets.recipientsFile ? ["--recipients-file", secrets.recipientsFile] : []),
    ...hosts.flatMap((recipient) => ["--recipient", recipient]),
  ];
  try {
    const sealed = await runner.run("age", ["--encrypt", ...recipients, "--output", target], {
      timeoutMs: AGE_TIMEOUT_MS,
      input: plain.stdout,
      secrets: [plain.stdout].filter((text) => text.length > 0),
    });
    if (sealed.exitCode !== 0)
      throw new HostFailureError(`age could not re-encrypt ${file}.`, sealed.stderr.trim().slice(-500));
    await rename(target, file);
  } finally {
    await rm(target, { force: true });
  }
  return true;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString("hex")}`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, file);
}
