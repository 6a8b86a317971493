/**
 * Building blocks for runtimes' `doctor` checks: one check value, and "is this program
 * installed" for a list of programs, probed in parallel through the command runner.
 *
 * @module
 */
import type { CommandRunner } from "../ports/command-runner.js";
import type { DoctorCheck } from "../ports/runtime.js";
import { QUICK_TIMEOUT_MS, runOk } from "./commands.js";

/** A check; the fix is shown only when it fails. */
export function doctorCheck(name: string, ok: boolean, detail: string, fix: string): DoctorCheck {
  return ok ? { name, ok, detail } : { name, ok, detail, fix };
}

/** A program a runtime needs, and the Debian package that provides it. */
export interface RequiredTool {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly pkg: string;
  /** The probe exits non-zero even when the program works (`ssh-keygen -?`): any exit counts. */
  readonly anyExit?: boolean;
}

/** One check per tool, in order. */
export async function toolChecks(
  runner: CommandRunner,
  tools: readonly RequiredTool[],
  options: { readonly fix: (pkg: string) => string; readonly timeoutMs?: number },
): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? QUICK_TIMEOUT_MS;
  const present = await Promise.all(
    tools.map((tool) =>
      tool.anyExit
        ? runner.run(tool.command, tool.args, { timeoutMs }).then(
            () => true,
            () => false,
          )
        : runOk(runner, tool.command, tool.args, timeoutMs),
    ),
  );
  return tools.map((tool, index) => {
    const ok = present[index] === true;
    return doctorCheck(
      tool.name,
      ok,
      ok ? `${tool.command} is installed.` : `${tool.command} is missing.`,
      options.fix(tool.pkg),
    );
  });
}
