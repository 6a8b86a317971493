/**
 * The launcher: how a host process is started *inside* a container's cgroups without voxnix
 * ever joining them. A fixed bash program (never assembled from input; every value reaches it
 * as a positional argument) writes its own pid into each `cgroup.procs` file it is given,
 * closes every descriptor above 2 that it inherited, and only then executes the real program.
 *
 * Why each step:
 * - Joining before `exec` means the first instruction of nspawn or the exec entry already runs under
 *   the container's memory, CPU, pids and device limits, while voxnix stays outside them (a
 *   `--memory` too small for Node can no longer kill the service that serves everyone).
 * - Closing inherited descriptors keeps a caller's pipe (`out=$(voxnix ctl create x 3>&1)`) or
 *   any other host file from being held by, or handed into, a long-running container.
 * - If a cgroup cannot be joined the launcher exits 125 before executing anything, so a
 *   container never runs outside its limits.
 *
 * @module
 */

/** Exit status of the launcher when it could not join a cgroup (nothing was executed). */
export const LAUNCHER_JOIN_FAILED = 125;

/** The fixed launcher program. `$1…` are cgroup.procs files up to `--`, then the argv to execute. */
export const LAUNCHER_SCRIPT = [
  'while [ "$#" -gt 0 ]; do',
  '  if [ "$1" = -- ]; then shift; break; fi',
  `  printf '%s\\n' "$$" > "$1" || exit ${LAUNCHER_JOIN_FAILED}`,
  "  shift",
  "done",
  "for descriptor in /proc/$$/fd/*; do",
  "  descriptor=${descriptor##*/}",
  '  case "$descriptor" in (""|*[!0-9]*) continue ;; esac',
  '  if [ "$descriptor" -gt 2 ]; then eval "exec $descriptor>&-"; fi',
  "done",
  'exec "$@"',
].join("\n");

/** The bash binary the launcher runs under (a host binary, never one from a container). */
export const LAUNCHER_SHELL = "/bin/bash";

/**
 * The argv (after `LAUNCHER_SHELL`) that runs `argv` inside the cgroups whose `cgroup.procs`
 * files are given. `--noprofile --norc` and a fixed `$0` keep any startup file out of it.
 */
export function launcherArgs(procsFiles: readonly string[], argv: readonly string[]): string[] {
  return ["--noprofile", "--norc", "-c", LAUNCHER_SCRIPT, "voxnix-launch", ...procsFiles, "--", ...argv];
}
