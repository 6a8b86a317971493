/**
 * SSH gateway connect-to-exit: p50/p95 of `ssh -p PORT dev@127.0.0.1 true` with the real
 * OpenSSH client (a new connection each time: key exchange, public-key login, session, exit)
 * against the gateway over the fake runtime, so the number is the gateway's own cost plus
 * OpenSSH's. Target: p50 ≤ 500 ms. Prints a table, then one JSON line.
 *
 * Run: node --import tsx bench/ssh.bench.ts   (needs ssh and ssh-keygen)
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { spawn } from "node:child_process";
import { startSshGateway } from "../src/adapters/ssh/gateway.js";
import { loadOrCreateHostKey } from "../src/adapters/ssh/host-key.js";
import { silentLogger } from "../src/ports/logger.js";
import { openDatabase } from "../src/state/database.js";
import { actor, createTestCore, TEST_USERS } from "../test/fakes/core-harness.js";

const ITERATIONS = 40;
const WARMUP = 3;
const TARGET_MS = 500;

function ssh(args: readonly string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn("ssh", [...args], { stdio: ["ignore", "ignore", "ignore"] });
    child.on("close", (code) => resolve(code));
  });
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "voxnix-bench-ssh-"));
  try {
    const t = createTestCore({ db: openDatabase(join(directory, "state.db")) });
    const alice = actor(TEST_USERS.alice);
    await (await t.core.create(alice, { name: "dev" })).wait();
    const key = join(directory, "id");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await t.core.addSshKey(alice, { publicKey: readFileSync(`${key}.pub`, "utf8") });
    const hostKey = loadOrCreateHostKey(join(directory, "host_key"));
    const settings = {
      listen: "127.0.0.1:0",
      idleTimeoutMinutes: 5,
      maxSessionsPerUser: 8,
      maxAuthAttempts: 6,
      connectionsPerMinute: 1e6,
      maxConnections: 64,
      loginGraceSeconds: 30,
    };
    const gateway = await startSshGateway({ core: t.core, hostKey, settings, logger: silentLogger });
    const knownHosts = join(directory, "known_hosts");
    writeFileSync(knownHosts, `[127.0.0.1]:${gateway.port} ${hostKey.publicKey}\n`);
    const args = [
      "-p",
      String(gateway.port),
      "-i",
      key,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-F",
      "/dev/null",
      "dev@127.0.0.1",
      "true",
    ];
    for (let index = 0; index < WARMUP; index += 1) await ssh(args);
    const samples: number[] = [];
    for (let index = 0; index < ITERATIONS; index += 1) {
      const started = performance.now();
      const code = await ssh(args);
      if (code !== 0) throw new Error(`ssh exited with ${code}`);
      samples.push(performance.now() - started);
    }
    await gateway.close();
    samples.sort((a, b) => a - b);
    const at = (fraction: number) => samples[Math.min(samples.length - 1, Math.floor(fraction * samples.length))]!;
    const p50 = at(0.5);
    const p95 = at(0.95);
    console.log(
      `ssh -p PORT dev@127.0.0.1 true (fake runtime), ${ITERATIONS} runs: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p50 ≤ ${TARGET_MS} ms)`,
    );
    console.log(
      JSON.stringify({
        bench: "ssh",
        p50Ms: Math.round(p50 * 10) / 10,
        p95Ms: Math.round(p95 * 10) / 10,
        targetMs: TARGET_MS,
        met: p50 <= TARGET_MS,
        cpus: cpus().length,
        load: loadavg()[0],
        node: process.version,
      }),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
