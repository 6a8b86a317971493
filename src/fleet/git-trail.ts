/**
 * The git audit trail of `voxnix proxmox apply`: after each apply (whether it succeeded or was
 * rolled back) the definitions file and a generated state summary are committed to a git work
 * tree the admin names (`proxmox.fleet.gitRepo`), authored by "voxnix", with a message naming
 * who applied what. The real `git` binary runs through the `CommandRunner` (argv only, a
 * timeout on each call, `--no-verify` so no repository hook runs with voxnix's privileges,
 * no signing prompt). The summary holds names, owners, addresses and public keys: never a
 * secret, since the repository is for reading by people.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { HostFailureError } from "../domain/errors.js";
import type { CommandRunner } from "../ports/command-runner.js";

/** Where the trail's files go inside the repository. */
export const TRAIL_FOLDER = "proxmox";
const GIT_TIMEOUT_MS = 30_000;
const AUTHOR = "voxnix <voxnix@localhost>";

export interface TrailEntry {
  /** The definitions file's path (its base name is used in the repository) and text. */
  readonly file: string;
  readonly text: string;
  /** The generated summary written as `proxmox/state.json`. */
  readonly summary: unknown;
  /** One line: who applied what ("local:admin applied vms.yaml: created lab, web"). */
  readonly message: string;
}

export interface TrailCommit {
  readonly committed: boolean;
  /** The new commit's id, when one was made. */
  readonly commit?: string;
  readonly files: readonly string[];
}

/** Writes and commits one apply's files; a repository with nothing new gets no commit. */
export async function commitTrail(runner: CommandRunner, repo: string, entry: TrailEntry): Promise<TrailCommit> {
  const git = async (args: readonly string[], what: string) => {
    const result = await runner.run("git", ["-C", repo, ...args], {
      timeoutMs: GIT_TIMEOUT_MS,
      env: { GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
    });
    return {
      ...result,
      fail: () =>
        new HostFailureError(
          `git could not ${what} in proxmox.fleet.gitRepo (${repo}).`,
          `git ${args.join(" ")}: exit ${result.exitCode}: ${result.stderr.trim().slice(-500)}`,
        ),
    };
  };
  const inside = await git(["rev-parse", "--is-inside-work-tree"], "find a work tree");
  if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") {
    throw new HostFailureError(
      `proxmox.fleet.gitRepo (${repo}) is not a git work tree; create it with "git init ${repo}".`,
      inside.stderr.trim().slice(-500),
    );
  }
  await mkdir(join(repo, TRAIL_FOLDER), { recursive: true });
  const definitionsPath = `${TRAIL_FOLDER}/${safeName(basename(entry.file))}`;
  const statePath = `${TRAIL_FOLDER}/state.json`;
  await writeFile(join(repo, definitionsPath), entry.text);
  await writeFile(join(repo, statePath), `${JSON.stringify(entry.summary, null, 2)}\n`);
  const files = [definitionsPath, statePath];
  const added = await git(["add", "--", ...files], "stage the trail");
  if (added.exitCode !== 0) throw added.fail();
  const staged = await git(["diff", "--cached", "--quiet", "--", ...files], "compare the trail");
  if (staged.exitCode === 0) return { committed: false, files };
  const identity = ["-c", "user.name=voxnix", "-c", "user.email=voxnix@localhost", "-c", "commit.gpgsign=false"];
  const commit = await git(
    [...identity, "commit", "--no-verify", "--quiet", `--author=${AUTHOR}`, "-m", entry.message, "--", ...files],
    "commit the trail",
  );
  if (commit.exitCode !== 0) throw commit.fail();
  const head = await git(["rev-parse", "HEAD"], "read the new commit");
  return { committed: true, commit: head.stdout.trim(), files };
}

// The definitions file keeps its name in the repository, reduced to safe characters.
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return cleaned.length > 0 && cleaned !== "state.json" ? cleaned : "definitions.yaml";
}
