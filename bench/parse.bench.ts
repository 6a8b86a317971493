/**
 * Offline parser cost against message length (issue 8): a 200-character and a 4,000-character
 * create request with many module words, parsed many times each. Reported as the time per
 * character ratio of the long message to the short one: about 1 means linear, 20 (the length
 * ratio) would mean quadratic. Also the module scan alone, which used to be quadratic.
 *
 * @module
 */
import os from "node:os";
import { parseIntent } from "../src/agent/intents/parse.js";
import { findModules } from "../src/agent/intents/modules.js";
import { normalise } from "../src/agent/intents/normalise.js";
import { MAX_MESSAGE_CHARS } from "../src/agent/input-limit.js";
import { FIXTURE_MODULE_NAMES } from "../test/fakes/fixture-catalog.js";

const phrase = "with git and fish and vs code, tools, persistent storage, remote access ";
function message(length: number): string {
  let text = "create a container called web ";
  while (text.length + phrase.length <= length) text += phrase;
  return text.padEnd(length, " ");
}

const short = message(200);
const long = message(MAX_MESSAGE_CHARS);
const context = { knownNames: ["web", "api", "dev"], catalogNames: FIXTURE_MODULE_NAMES, self: "telegram:42" as const };

function microsecondsPerCall(work: () => unknown, calls: number): number {
  for (let index = 0; index < Math.min(200, calls); index += 1) work();
  const samples: number[] = [];
  for (let round = 0; round < 7; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < calls; index += 1) work();
    samples.push(Number(process.hrtime.bigint() - started) / 1000 / calls);
  }
  return samples.sort((a, b) => a - b)[3]!;
}

const parseShort = microsecondsPerCall(() => parseIntent(short, context), 2000);
const parseLong = microsecondsPerCall(() => parseIntent(long, context), 100);
const shortTokens = normalise(short).tokens;
const longTokens = normalise(long).tokens;
const modulesShort = microsecondsPerCall(() => findModules(shortTokens, FIXTURE_MODULE_NAMES), 5000);
const modulesLong = microsecondsPerCall(() => findModules(longTokens, FIXTURE_MODULE_NAMES), 300);
const lengthRatio = long.length / short.length;

const result = {
  machine: `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, node ${process.version}`,
  date: new Date().toISOString(),
  loadAverage: os.loadavg()[0],
  shortChars: short.length,
  longChars: long.length,
  parseShortUs: Number(parseShort.toFixed(1)),
  parseLongUs: Number(parseLong.toFixed(1)),
  parseTimeRatio: Number((parseLong / parseShort).toFixed(1)),
  parsePerCharRatio: Number((parseLong / parseShort / lengthRatio).toFixed(2)),
  modulesShortUs: Number(modulesShort.toFixed(2)),
  modulesLongUs: Number(modulesLong.toFixed(2)),
  modulesPerCharRatio: Number((modulesLong / modulesShort / lengthRatio).toFixed(2)),
  target: "per-character ratio (long / short) near 1, well under the length ratio of 20",
};
console.log(
  `parser on a ${short.length}- and a ${long.length}-character message (median of 7 rounds; load ${os.loadavg()[0]!.toFixed(1)})`,
);
console.log(
  `parseIntent   ${result.parseShortUs} µs vs ${result.parseLongUs} µs: time x${result.parseTimeRatio}, per character x${result.parsePerCharRatio}`,
);
console.log(
  `findModules   ${result.modulesShortUs} µs vs ${result.modulesLongUs} µs: per character x${result.modulesPerCharRatio}`,
);
console.log(JSON.stringify(result));
