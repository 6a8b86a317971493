/**
 * "Run <command> in <name>": a command inside one of the person's own containers, typed in
 * the chat. The command is split into an argv here (quotes group words) and handed to
 * `core.exec` as it is; nothing ever passes through a shell. Only the offline engine parses
 * this, so a model cannot run commands on anyone's behalf.
 *
 * @module
 */
import type { ExecIntent } from "./types.js";
import { REFERENCE_WORDS } from "./normalise.js";

const VERB = String.raw`(?:run|exec|execute)`;
const PLACE = String.raw`(?:in|on|inside)`;
const TARGET = String.raw`([a-z0-9][a-z0-9-]*)`;
// "run `git --version` in web", "please run ls -la in it", "exec uname -a on dev".
const COMMAND_FIRST = new RegExp(
  String.raw`^(?:please\s+|now\s+|then\s+)*${VERB}\s+(.+?)\s+${PLACE}\s+(?:the\s+)?(?:container\s+)?${TARGET}\s*[.!?]?$`,
  "is",
);
// "in web run git --version", "inside it, run ls".
const PLACE_FIRST = new RegExp(
  String.raw`^${PLACE}\s+(?:the\s+)?(?:container\s+)?${TARGET}\s*[,:]?\s*${VERB}\s+(.+?)\s*$`,
  "is",
);

/** Parses an exec request from the raw text, or returns undefined when the text is not one. */
export function parseExec(raw: string): ExecIntent | undefined {
  const text = raw.trim();
  const commandFirst = COMMAND_FIRST.exec(text);
  const placeFirst = commandFirst ? undefined : PLACE_FIRST.exec(text);
  const command = commandFirst?.[1] ?? placeFirst?.[2];
  const target = (commandFirst?.[2] ?? placeFirst?.[1])?.toLowerCase();
  if (command === undefined || target === undefined) return undefined;
  const argv = splitCommand(unwrap(command));
  if (argv === undefined || argv.length === 0) return undefined;
  return {
    type: "exec",
    argv,
    target: REFERENCE_WORDS.has(target) ? { kind: "reference" } : { kind: "named", name: target },
  };
}

// Chat clients often wrap commands in backticks: `git --version`.
function unwrap(command: string): string {
  const trimmed = command.trim();
  return trimmed.length > 1 && trimmed.startsWith("`") && trimmed.endsWith("`") ? trimmed.slice(1, -1) : trimmed;
}

/**
 * Splits a command line into words the way a person expects (spaces separate, single or
 * double quotes group, backslash escapes one character) without any shell semantics: no
 * variables, globs, pipes or redirections. Returns undefined for an unterminated quote.
 */
export function splitCommand(line: string): string[] | undefined {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && index + 1 < line.length) current += line[++index];
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && index + 1 < line.length) {
      current += line[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(current);
  return words;
}
