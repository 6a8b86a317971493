/**
 * A fake program on a pseudo-terminal, as `Runtime.attach` returns it with a terminal,
 * modelling what the browser terminal and `ctl shell` rely on: typed characters are echoed
 * (as a terminal in cooked mode does), Enter runs the line (`fakeStatement`: `echo …`,
 * `exit [n]`, `stty size`; anything else prints "<word>: command not found"), a resize is
 * recorded and seen by `stty size`, and a hang-up (`close`) ends it with no exit code and
 * SIGHUP. There is no separate stderr on a terminal.
 *
 * @module
 */
import { PassThrough, Writable } from "node:stream";
import type { InteractiveProcess, ProcessExit, TerminalSize } from "../../src/ports/command-runner.js";

/** The fake shell's prompt. */
export const FAKE_PROMPT = "fake$ ";

/** What one statement of the fake shell does. */
export interface FakeStep {
  readonly out?: string;
  readonly err?: string;
  readonly exit?: number;
  /** Not a statement the fake knows. */
  readonly unknown?: true;
}

/**
 * The few statements the fake shells understand, as a POSIX shell runs them: `echo WORDS`
 * (quotes removed, `>&2` sends it to stderr), `exit [N]`, `stty size` (rows and columns of
 * `size`). Everything else is `unknown`; each fake decides what that prints.
 */
export function fakeStatement(statement: string, size?: TerminalSize): FakeStep {
  const words = statement
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
  const [word, ...rest] = words;
  if (word === undefined) return {};
  if (word === "exit") return { exit: Number(rest[0] ?? 0) };
  if (word === "echo") {
    const toStderr = rest.at(-1) === ">&2";
    const text = `${(toStderr ? rest.slice(0, -1) : rest).join(" ").replace(/["']/g, "")}\n`;
    return toStderr ? { err: text } : { out: text };
  }
  if (word === "stty" && rest[0] === "size" && size !== undefined) return { out: `${size.rows} ${size.cols}\n` };
  return { unknown: true };
}

/** A fake interactive shell. Inspect `typed`, `sizes` and `hungUp`. */
export class FakeTerminal implements InteractiveProcess {
  readonly sizes: TerminalSize[] = [];
  typed = "";
  hungUp = false;
  readonly stdin: Writable;
  readonly stdout = new PassThrough();
  readonly exit: Promise<ProcessExit>;
  #line = "";
  #ended = false;
  #resolve!: (value: ProcessExit) => void;

  constructor(size: TerminalSize) {
    this.sizes.push(size);
    this.exit = new Promise((resolve) => (this.#resolve = resolve));
    this.stdin = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.#type(chunk.toString());
        callback();
      },
    });
    setImmediate(() => this.#emit(FAKE_PROMPT));
  }

  /** Settles when the shell has ended (the same promise as `exit`). */
  get exited(): Promise<ProcessExit> {
    return this.exit;
  }

  resize(size: TerminalSize): void {
    this.sizes.push(size);
  }

  close(): void {
    if (this.#ended) return;
    this.hungUp = true;
    this.#end({ exitCode: null, signal: "SIGHUP", timedOut: false });
  }

  #type(data: string): void {
    if (this.#ended) return;
    this.typed += data;
    for (const character of data) {
      if (character === "\r" || character === "\n") {
        this.#emit("\r\n");
        this.#run(this.#line.trim());
        this.#line = "";
      } else {
        this.#line += character;
        this.#emit(character);
      }
    }
  }

  #run(line: string): void {
    const step = fakeStatement(line, this.sizes.at(-1));
    if (step.exit !== undefined) return this.#end({ exitCode: step.exit, signal: null, timedOut: false });
    // On a terminal, stdout and stderr are one stream, with CRLF line ends.
    const text = step.unknown ? `${line.split(/\s+/)[0]}: command not found\n` : `${step.out ?? ""}${step.err ?? ""}`;
    this.#emit(text.replace(/\n/g, "\r\n"));
    this.#emit(FAKE_PROMPT);
  }

  #emit(data: string): void {
    if (!this.#ended) this.stdout.write(data);
  }

  #end(exit: ProcessExit): void {
    if (this.#ended) return;
    this.#ended = true;
    this.stdout.end();
    // Settle after the output drained, as the real spawner does.
    setImmediate(() => this.#resolve(exit));
  }
}
