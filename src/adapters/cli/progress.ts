/**
 * Progress displays for long jobs: an ora spinner on a terminal, plain lines when output is
 * piped or logged, and nothing in `--json` mode. All of it goes to stderr, so stdout carries
 * only the result.
 *
 * @module
 */
import type { CliIo, ProgressDisplay } from "./context.js";

const silent: ProgressDisplay = { update: () => undefined, log: () => undefined, end: () => undefined };

/** Creates the display that fits `io`; ora is loaded only when a terminal will show it. */
export async function createProgressDisplay(
  io: CliIo,
  json: boolean,
  initialMessage: string,
): Promise<ProgressDisplay> {
  if (json) return silent;
  if (io.isTTY && io.stderrStream) {
    const { default: ora } = await import("ora");
    const spinner = ora({ text: initialMessage, stream: io.stderrStream }).start();
    return {
      update: (message) => {
        spinner.text = message;
      },
      log: (line) => {
        // Print the line above the spinner, then keep spinning.
        spinner.clear();
        io.stderr(`  ${line}\n`);
        spinner.render();
      },
      end: (outcome, message) => {
        if (outcome === "succeeded") spinner.succeed(message);
        else spinner.fail(message);
      },
    };
  }
  let last = initialMessage;
  io.stderr(`... ${initialMessage}\n`);
  return {
    update: (message) => {
      if (message === last) return;
      last = message;
      io.stderr(`... ${message}\n`);
    },
    log: (line) => io.stderr(`  | ${line}\n`),
    end: (outcome, message) => io.stderr(`${outcome === "succeeded" ? "done" : "failed"}: ${message}\n`),
  };
}
