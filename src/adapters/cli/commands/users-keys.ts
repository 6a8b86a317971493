/**
 * SSH keys for the SSH gateway: `voxnix users key add <user> <file|->` registers a public key
 * (read from a file, or standard input with `-`), `users key list [user]` shows keys with
 * their fingerprints, `users key remove <user> <fingerprint>` unregisters one. Each is an
 * audited core operation; the local admin manages anyone's keys, `--as` someone else only
 * their own.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { SshKeyView } from "../../../core/api.js";
import { InvalidInputError } from "../../../domain/errors.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { formatTime, renderTable } from "../render.js";

/** More than any public key file; a bigger "key" is refused before it is read whole. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

function renderKeys(keys: readonly SshKeyView[]): string[] {
  return renderTable(
    ["fingerprint", "user", "type", "bits", "comment", "added"],
    keys.map((key) => [
      key.fingerprint,
      key.userId,
      key.algorithm,
      String(key.bits),
      key.comment ?? "-",
      formatTime(key.createdAt),
    ]),
    "(no SSH keys)",
  );
}

async function readKeyText(source: string): Promise<string> {
  if (source === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_KEY_FILE_BYTES)
        throw new InvalidInputError([{ path: "file", message: "That is far too long for a public key." }]);
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    const text = await readFile(source, "utf8");
    if (text.length > MAX_KEY_FILE_BYTES)
      throw new InvalidInputError([{ path: "file", message: `${source} is far too long for a public key.` }]);
    return text;
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError([
      {
        path: "file",
        message: `Cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"}); give the .pub file or - for standard input.`,
      },
    ]);
  }
}

async function addKey(context: CliContext, user: string, source: string): Promise<void> {
  const { actor, dryRun } = context.globals();
  const text = await readKeyText(source);
  const { core, config } = await context.app();
  if (dryRun) return context.planned(await core.plan(actor, { operation: "addSshKey", userId: user, publicKey: text }));
  const key = await core.addSshKey(actor, { userId: user, publicKey: text });
  const { sshAccessFrom, sshCommand } = await import("../../../domain/ssh-access.js");
  context.output(key, (added) => [
    `Registered ${added.algorithm} key ${added.fingerprint} for ${added.userId}.`,
    `Connect with: ${sshCommand(sshAccessFrom(config.ssh), "NAME")}   (NAME: one of ${added.userId}'s workloads)`,
  ]);
}

/** Registers `voxnix users key …`. */
export const register: RegisterCommand = (program, context) => {
  const key = commandGroup(program, "users")
    .command("key")
    .alias("ssh-key")
    .description("Manage SSH public keys for the SSH gateway (docs/ssh.md); also `users ssh-key`");
  key
    .command("add")
    .description("Register a public key for a user (the .pub file, or - to read standard input)")
    .argument("<user>", "user id, e.g. telegram:123 or local:alice")
    .argument("<file>", "public key file such as ~/.ssh/id_ed25519.pub, or - for standard input")
    .action((user: string, file: string) => addKey(context, user, file));
  key
    .command("list")
    .description("List SSH keys with their fingerprints (of one user when given)")
    .argument("[user]", "only this user's keys")
    .action(async (user: string | undefined) => {
      const { core } = await context.app();
      const { actor } = context.globals();
      context.output(await core.listSshKeys(actor, user === undefined ? { all: true } : { userId: user }), renderKeys);
    });
  key
    .command("remove")
    .description("Unregister an SSH key; the gateway refuses it from the next connection on")
    .argument("<user>", "the key's owner")
    .argument("<fingerprint>", "SHA256:… from `voxnix users key list`")
    .action(async (user: string, fingerprint: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun)
        return context.planned(await core.plan(actor, { operation: "removeSshKey", userId: user, fingerprint }));
      context.output(await core.removeSshKey(actor, { userId: user, fingerprint }), (removed) => [
        `Removed SSH key ${removed.fingerprint} of ${removed.userId}.`,
      ]);
    });
};
