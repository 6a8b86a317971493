/**
 * Re-encrypting a host's secrets for the recipients that should read them, with the tool the
 * admin keeps their secrets in (`proxmox.fleet.secrets.tool`):
 *
 * - `age` (default): voxnix decrypts each file with the admin's identity and encrypts it again
 *   for the admin's recipients plus the pinned hosts that list it (`fleet-steps.ts`).
 * - `sops`: the host's age recipient is added to the `age` list of the first creation rule of
 *   `.sops.yaml` whose `path_regex` matches the file (a replaced host key's recipient removed),
 *   then `sops updatekeys --yes FILE` runs in that folder with `SOPS_AGE_KEY_FILE` set to the
 *   admin's identity (sops finds `.sops.yaml` from its working directory and rewrites the file's
 *   `sops.age` recipients and their wrapped data keys; "already up to date" exits 0 too).
 * - `agenix`: voxnix writes the hosts' recipients per file to a JSON file next to `secrets.nix`
 *   (which the admin's `secrets.nix` reads with `builtins.fromJSON`), then runs `agenix -r -i
 *   IDENTITY` there, which re-encrypts every file listed in `secrets.nix` for its `publicKeys`.
 *
 * Each tool runs through the CommandRunner as argv with a timeout, never a shell. A tool that is
 * not installed skips the step with a note saying what to run by hand (the recipients are already
 * written, so that is all that is left); a tool that runs and fails fails the step.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { HostFailureError, InvalidInputError } from "../domain/errors.js";
import type { CommandRunner } from "../ports/command-runner.js";

/** How long one sops or agenix run may take. */
export const SECRETS_TOOL_TIMEOUT_MS = 120_000;

/** The secrets settings the tools need. */
export interface SecretsToolSettings {
  readonly identityFile: string;
  readonly tool?: "age" | "sops" | "agenix";
  /** sops: the `.sops.yaml` whose creation rules list the recipients. */
  readonly sopsConfig?: string;
  /** agenix: the folder holding `secrets.nix` (agenix runs there). */
  readonly agenixDirectory?: string;
  /** agenix: the JSON file voxnix writes the hosts' recipients to (default `voxnix-hosts.json` in `agenixDirectory`). */
  readonly agenixHostsFile?: string;
}

/** What a run did: the files re-encrypted, and notes for skipped steps. */
export interface ToolOutcome {
  readonly reencrypted: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Re-keys `files` with sops: each file's creation rule gets `recipients[file]` (and loses
 * `removed`), then `sops updatekeys --yes` rewrites it.
 */
export async function rekeyWithSops(
  runner: CommandRunner,
  settings: SecretsToolSettings,
  files: readonly string[],
  recipients: ReadonlyMap<string, readonly string[]>,
  removed: readonly string[],
): Promise<ToolOutcome> {
  const config = settings.sopsConfig;
  if (config === undefined)
    throw new InvalidInputError([
      {
        path: "proxmox.fleet.secrets.sopsConfig",
        message: "is required with tool: sops (the .sops.yaml that lists the recipients).",
      },
    ]);
  await updateSopsConfig(config, files, recipients, removed);
  const reencrypted: string[] = [];
  for (const file of files) {
    let result;
    try {
      result = await runner.run("sops", ["updatekeys", "--yes", file], {
        timeoutMs: SECRETS_TOOL_TIMEOUT_MS,
        cwd: dirname(config),
        env: { SOPS_AGE_KEY_FILE: settings.identityFile },
      });
    } catch (error) {
      if (error instanceof HostFailureError && /not installed/.test(error.message)) {
        return {
          reencrypted,
          notes: [
            `secrets: sops is not installed; the host's recipient was added to ${config}, so run "sops updatekeys ${files.join(" ")}" there`,
          ],
        };
      }
      throw error;
    }
    if (result.exitCode !== 0)
      throw new HostFailureError(
        `sops updatekeys failed for ${file} (exit ${result.exitCode}).`,
        result.stderr.trim().split("\n").slice(-8).join("\n"),
      );
    reencrypted.push(file);
  }
  return { reencrypted, notes: [] };
}

/** Re-keys with agenix: writes the hosts' recipients per file, then `agenix -r -i IDENTITY` in the rules' folder. */
export async function rekeyWithAgenix(
  runner: CommandRunner,
  settings: SecretsToolSettings,
  files: readonly string[],
  recipients: ReadonlyMap<string, readonly string[]>,
): Promise<ToolOutcome> {
  const directory = settings.agenixDirectory;
  if (directory === undefined)
    throw new InvalidInputError([
      {
        path: "proxmox.fleet.secrets.agenixDirectory",
        message: "is required with tool: agenix (the folder holding secrets.nix).",
      },
    ]);
  const hostsFile = settings.agenixHostsFile ?? join(directory, "voxnix-hosts.json");
  // Keys are the names secrets.nix uses: paths relative to its folder.
  const byName: Record<string, string[]> = {};
  for (const [file, keys] of recipients) byName[relative(directory, file)] = [...keys].sort();
  await writeAtomically(hostsFile, `${JSON.stringify(byName, null, 2)}\n`);
  let result;
  try {
    result = await runner.run("agenix", ["-r", "-i", settings.identityFile], {
      timeoutMs: SECRETS_TOOL_TIMEOUT_MS,
      cwd: directory,
    });
  } catch (error) {
    if (error instanceof HostFailureError && /not installed/.test(error.message)) {
      return {
        reencrypted: [],
        notes: [
          `secrets: agenix is not installed; the hosts' recipients were written to ${hostsFile}, so run "agenix -r" in ${directory}`,
        ],
      };
    }
    throw error;
  }
  if (result.exitCode !== 0)
    throw new HostFailureError(
      `agenix -r failed in ${directory} (exit ${result.exitCode}).`,
      result.stderr.trim().split("\n").slice(-8).join("\n"),
    );
  return { reencrypted: [...files], notes: [] };
}

// Adds each file's recipients to the `age` list of its creation rule (sops: the first rule whose path_regex matches wins).
async function updateSopsConfig(
  config: string,
  files: readonly string[],
  recipients: ReadonlyMap<string, readonly string[]>,
  removed: readonly string[],
): Promise<void> {
  let text: string;
  try {
    text = await readFile(config, "utf8");
  } catch (error) {
    throw new HostFailureError(`The sops configuration ${config} could not be read.`, (error as Error).message);
  }
  const document = parseDocument(text);
  const rules = document.get("creation_rules");
  if (!isSeq(rules))
    throw new HostFailureError(
      `${config} has no creation_rules list, so voxnix cannot add the host's recipient; add it by hand.`,
    );
  for (const file of files) {
    const path = relative(dirname(config), file);
    const rule = rules.items.find((item) => {
      if (!isMap(item)) return false;
      const pattern = item.get("path_regex");
      return pattern === undefined || (typeof pattern === "string" && new RegExp(pattern).test(path));
    });
    if (!isMap(rule))
      throw new HostFailureError(`No creation rule in ${config} matches ${path}; add one with an age list.`);
    if (rule.has("key_groups"))
      throw new HostFailureError(
        `The creation rule for ${path} in ${config} uses key_groups, which voxnix does not edit; add the host's age recipient there by hand.`,
      );
    // sops reads `age` as one comma-separated string (newer versions also take a list); the form is kept.
    const value: unknown = rule.get("age", true);
    const listed = isSeq(value);
    const entries = ageEntries(value);
    const wanted = [
      ...new Set([...entries.filter((entry) => !removed.includes(entry)), ...(recipients.get(file) ?? [])]),
    ];
    rule.set("age", listed ? document.createNode(wanted) : wanted.join(","));
  }
  await writeAtomically(config, document.toString());
}

// The recipients in a rule's `age` node: a scalar "a,b" or a sequence of scalars.
function ageEntries(node: unknown): string[] {
  const texts = isSeq(node)
    ? node.items.map((item) => (isScalar(item) ? String(item.value) : ""))
    : isScalar(node)
      ? String(node.value).split(",")
      : [];
  return texts.map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString("hex")}`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, file);
}
