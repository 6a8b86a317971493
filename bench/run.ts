/**
 * Runs every `bench/*.bench.ts` in sequence (`npm run bench`), each in its own process so one
 * benchmark's warm caches do not flatter the next, printing each one's output as it comes.
 * Exits non-zero when a benchmark crashes (not when it misses a target; the JSON says that).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const directory = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(directory)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} (${new Date().toISOString()}) ===`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(directory, file)], { stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    console.log(`=== ${file} exited with ${result.status ?? result.signal}`);
  }
}
console.log(`\n${benches.length - failed}/${benches.length} benchmarks ran to completion.`);
process.exitCode = failed > 0 ? 1 : 0;
