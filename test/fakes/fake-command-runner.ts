/**
 * A command runner with scripted responses per argv. Models the port: non-zero exits are
 * results, an unscripted program rejects like a missing binary (`HostFailureError`), a
 * scripted timeout rejects with `TimeoutError`. Records every call.
 *
 * @module
 */
import { HostFailureError, TimeoutError } from "../../src/domain/errors.js";
import type { CommandOptions, CommandResult, CommandRunner } from "../../src/ports/command-runner.js";

/** What a scripted call returns: a partial result, a timeout, an error to throw, or a function of the call. */
export type ScriptedResponse =
  | Partial<Pick<CommandResult, "exitCode" | "stdout" | "stderr" | "signal" | "truncated">>
  | { readonly timeout: true }
  | { readonly error: Error }
  | ((call: RecordedCommand) => Partial<CommandResult>);

/** One recorded call. */
export interface RecordedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly options: CommandOptions;
}

interface Script {
  readonly argv: readonly string[];
  readonly prefix: boolean;
  readonly responses: ScriptedResponse[];
  readonly sticky: boolean;
}

/** The fake runner. Script with `on` (exact argv) or `onPrefix`; inspect `calls`. */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: RecordedCommand[] = [];
  readonly #scripts: Script[] = [];

  /**
   * Scripts the response to `[command, ...args]` exactly. With several responses they are used
   * in order and the last one repeats.
   */
  on(argv: readonly string[], ...responses: ScriptedResponse[]): this {
    this.#scripts.push({ argv, prefix: false, responses: responses.length > 0 ? responses : [{}], sticky: true });
    return this;
  }

  /** Scripts the response to any call whose argv starts with `argv`. Later scripts win over earlier ones. */
  onPrefix(argv: readonly string[], ...responses: ScriptedResponse[]): this {
    this.#scripts.push({ argv, prefix: true, responses: responses.length > 0 ? responses : [{}], sticky: true });
    return this;
  }

  /** The argv of every call, for easy assertions. */
  argvs(): string[][] {
    return this.calls.map((call) => [call.command, ...call.args]);
  }

  async run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
    const call: RecordedCommand = { command, args: [...args], options };
    this.calls.push(call);
    const argv = [command, ...args];
    const script = [...this.#scripts].reverse().find((candidate) => matches(candidate, argv));
    if (!script)
      throw new HostFailureError(`The program "${command}" could not be started (not scripted in FakeCommandRunner).`);
    const response = script.responses.length > 1 ? script.responses.shift()! : script.responses[0]!;
    if (typeof response === "function") return complete(call, response(call));
    if ("timeout" in response)
      throw new TimeoutError(
        `"${command}" did not finish within ${options.timeoutMs} ms and was stopped.`,
        options.timeoutMs,
      );
    if ("error" in response) throw response.error;
    const result = complete(call, response);
    options.onOutput?.("stdout", result.stdout);
    if (result.stderr) options.onOutput?.("stderr", result.stderr);
    return result;
  }
}

function matches(script: Script, argv: readonly string[]): boolean {
  if (script.prefix ? argv.length < script.argv.length : argv.length !== script.argv.length) return false;
  return script.argv.every((part, index) => argv[index] === part);
}

function complete(call: RecordedCommand, partial: Partial<CommandResult>): CommandResult {
  return {
    command: call.command,
    args: call.args,
    exitCode: 0,
    signal: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    truncated: false,
    durationMs: 1,
    ...partial,
  };
}
