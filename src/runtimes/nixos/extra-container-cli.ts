/**
 * extra-container's command line as the nixos backend uses it: argv builders and parsers for
 * what it prints (see docs/nixos-backend.md for the contract these follow).
 *
 * @module
 */
import { firstMeaningfulLine, stripAnsi } from "../../host/commands.js";

/** The program name; resolved through PATH by the runner. */
export const EXTRA_CONTAINER = "extra-container";

/** `extra-container create <file> --start`: build, install and start. */
export function createArgs(wrapperFile: string): string[] {
  return ["create", wrapperFile, "--start"];
}

/**
 * `extra-container create <file> [--restart-changed]` on an installed container: installs the
 * new definition; with the flag, a running container whose definition changed restarts.
 */
export function updateArgs(wrapperFile: string, restart: boolean): string[] {
  return ["create", wrapperFile, ...(restart ? ["--restart-changed"] : [])];
}

/** `extra-container build <file>`: build only; prints the `etc` store path. */
export function buildArgs(wrapperFile: string): string[] {
  return ["build", wrapperFile];
}

/** `extra-container destroy <name>`: stops and removes one container; unknown names succeed. */
export function destroyArgs(name: string): string[] {
  return ["destroy", name];
}

/** `extra-container list`: names of installed extra containers, one per line. */
export function listArgs(): string[] {
  return ["list"];
}

/** Parses `extra-container list` output into container names. */
export function parseContainerList(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(line));
}

/** Parses `extra-container build` output: the last line that is a store path. */
export function parseBuildOutput(stdout: string): string | undefined {
  const paths = stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("/nix/store/"));
  return paths.at(-1);
}

/** True when the output says the container name is already taken. */
export function saysAlreadyExists(text: string): boolean {
  return /already exists/i.test(text);
}

const STORE_PREFIX = /\/nix\/store\/[0-9a-z]{32}-/g;

/**
 * Shortens nix's error output to one readable sentence: the failing builder when a build
 * failed, otherwise the innermost `error:` line (nix prints its trace first and the real
 * message last), with store hashes removed.
 */
export function summarizeNixError(stderr: string): string | undefined {
  const lines = stripAnsi(stderr)
    .split("\n")
    .map((line) => line.trim());
  const builder = lines.find((line) => /^error: builder for .* failed/.test(line));
  const errors = lines
    .filter((line) => line.startsWith("error:"))
    .map((line) => line.slice("error:".length).trim())
    .filter((line) => line.length > 0 && !/dependenc(y|ies) of derivation .* failed to build/.test(line));
  const chosen = builder?.slice("error:".length).trim() ?? errors.at(-1);
  const summary = chosen ?? firstMeaningfulLine(stderr);
  if (summary === undefined) return undefined;
  const readable = summary.replace(STORE_PREFIX, "").replace(/[;:,]\s*$/, "");
  return readable.length > 300 ? `${readable.slice(0, 297)}…` : readable;
}
