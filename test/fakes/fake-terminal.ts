/**
 * A fake program on a pseudo-terminal, modelling what the browser terminal relies on: typed
 * characters are echoed (as a terminal in cooked mode does), Enter runs the line (`echo …`
 * prints its words, `exit [n]` ends with that status, anything else prints
 * "<word>: command not found"), a resize is recorded, and a hang-up ends it with no exit code.
 *
 * @module
 */
import type { TerminalProcess, TerminalSize } from "../../src/ports/command-runner.js";

/** The fake shell's prompt. */
export const FAKE_PROMPT = "fake$ ";

/** A fake interactive shell. Inspect `typed`, `sizes` and `hungUp`. */
export class FakeTerminal implements TerminalProcess {
  readonly sizes: TerminalSize[] = [];
  typed = "";
  hungUp = false;
  readonly exited: Promise<{ readonly exitCode: number | null; readonly timedOut: boolean }>;
  readonly #listeners = new Set<(data: string) => void>();
  #line = "";
  #ended = false;
  #resolve!: (value: { exitCode: number | null; timedOut: boolean }) => void;

  constructor(size: TerminalSize) {
    this.sizes.push(size);
    this.exited = new Promise((resolve) => (this.#resolve = resolve));
    setImmediate(() => this.#emit(FAKE_PROMPT));
  }

  write(data: string): void {
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

  resize(size: TerminalSize): void {
    this.sizes.push(size);
  }

  onData(listener: (data: string) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  hangUp(): void {
    this.hungUp = true;
    this.#end(null);
  }

  #run(line: string): void {
    const [word, ...rest] = line.split(/\s+/);
    if (!word) return this.#emit(FAKE_PROMPT);
    if (word === "exit") return this.#end(Number(rest[0] ?? 0));
    this.#emit(word === "echo" ? `${rest.join(" ")}\r\n` : `${word}: command not found\r\n`);
    this.#emit(FAKE_PROMPT);
  }

  #emit(data: string): void {
    for (const listener of this.#listeners) listener(data);
  }

  #end(exitCode: number | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#resolve({ exitCode, timedOut: false });
  }
}
