/**
 * Turns extra-container's output, as it streams, into progress events: `Building
 * containers...` becomes the building step, `Installing containers:` installing, `Starting
 * containers:` starting; every other line is passed on as a log line. These are progress
 * only: whether a container was installed is decided from its conf file, never from text.
 *
 * @module
 */
import type { ProgressListener, ProgressStep } from "../../ports/runtime.js";
import { stripAnsi } from "../../host/commands.js";

const STEP_LINES: readonly { readonly pattern: RegExp; readonly step: ProgressStep; readonly message: string }[] = [
  {
    pattern: /^Building containers\.\.\.$/,
    step: "building",
    message: "Building the container's system (this can take minutes the first time).",
  },
  { pattern: /^Installing containers:$/, step: "installing", message: "Installing the container." },
  { pattern: /^Starting containers:$/, step: "starting", message: "Starting the container." },
  { pattern: /^(Updating|Restarting) containers:$/, step: "starting", message: "Restarting the container." },
];

const TAIL_CHARS = 64 * 1024;

/** Line-buffers each output stream and reports steps (each at most once) and log lines. */
export class OutputProgress {
  readonly #listener: ProgressListener;
  readonly #partial = { stdout: "", stderr: "" };
  readonly #seen = new Set<ProgressStep>();
  readonly #tail = { stdout: "", stderr: "" };

  constructor(listener: ProgressListener) {
    this.#listener = listener;
  }

  /** Feeds one chunk; suitable as `CommandOptions.onOutput`. */
  readonly onOutput = (stream: "stdout" | "stderr", chunk: string): void => {
    // The runner keeps only the head of long output, but nix prints its real error last.
    this.#tail[stream] = (this.#tail[stream] + chunk).slice(-TAIL_CHARS);
    const text = this.#partial[stream] + chunk;
    const lines = text.split("\n");
    this.#partial[stream] = lines.pop() ?? "";
    for (const line of lines) this.#line(line);
  };

  /** Flushes unterminated last lines once the command ended. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.#partial[stream];
      this.#partial[stream] = "";
      if (rest.length > 0) this.#line(rest);
    }
  }

  /** The last 64 KiB of a stream, whatever the runner kept. */
  tail(stream: "stdout" | "stderr"): string {
    return this.#tail[stream];
  }

  /** The steps seen so far, in order. */
  steps(): readonly ProgressStep[] {
    return [...this.#seen];
  }

  #line(raw: string): void {
    const line = stripAnsi(raw).replace(/\r$/, "").trimEnd();
    if (line.trim().length === 0) return;
    const match = STEP_LINES.find((candidate) => candidate.pattern.test(line.trim()));
    if (match) {
      if (this.#seen.has(match.step)) return;
      this.#seen.add(match.step);
      safeEmit(this.#listener, { type: "step", step: match.step, message: match.message });
      return;
    }
    safeEmit(this.#listener, { type: "log", line });
  }
}

/** Calls a listener, ignoring anything it throws (listeners must not break the operation). */
export function safeEmit(listener: ProgressListener, event: Parameters<ProgressListener>[0]): void {
  try {
    listener(event);
  } catch {
    // A broken listener must not turn a working create into a failed one.
  }
}
