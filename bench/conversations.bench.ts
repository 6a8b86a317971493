/**
 * Wall-clock time per message through the offline chat pipeline over the whole eval
 * conversation set (`src/agent/evals/`), the issue-13 target being 5 ms wall per message.
 * Each conversation gets a fresh core and database as in `npm run eval`; only
 * `pipeline.handle` is timed (not the setup, and not waiting for a create's job). One round
 * warms up, then `ROUNDS` rounds are measured. The CPU time of the same calls is printed next
 * to the wall time, with the load average and the machine, because on a shared 2-core machine
 * the wall time includes time the OS gave to other processes.
 *
 * Run: `node --import tsx bench/conversations.bench.ts` (ends with one JSON line).
 *
 * @module
 */
import os from "node:os";
import { configSchema } from "../src/app/config-schema.js";
import { createChatPipeline } from "../src/agent/pipeline.js";
import { CONVERSATIONS } from "../src/agent/evals/conversations.js";
import type { EvalConversation } from "../src/agent/evals/types.js";
import { silentLogger } from "../src/ports/logger.js";
import { createConversationsRepository } from "../src/state/conversations-repository.js";
import { createEvalCore } from "../test/fakes/core-harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_P50_MS = 5;
const config = configSchema.parse({});

interface Sample {
  readonly label: string;
  readonly wallMs: number;
  readonly cpuMs: number;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Runs one conversation and returns the time of each message. */
async function runConversation(conversation: EvalConversation): Promise<Sample[]> {
  const environment = createEvalCore(conversation);
  for (const { owner, ...kinds } of conversation.limits ?? []) {
    await environment.core.whoami({ userId: owner });
    await environment.core.setUserLimits({ userId: "local:admin" }, owner, kinds);
  }
  for (const workload of conversation.setup ?? []) {
    const job = await environment.core.create(
      { userId: workload.owner },
      {
        name: workload.name,
        modules: [...(workload.modules ?? [])],
        ...(workload.workspaceSize ? { workspace: { enabled: true, size: workload.workspaceSize } } : {}),
      },
    );
    await job.wait();
    if (workload.usedBytes !== undefined) environment.fillWorkspace(workload.owner, workload.name, workload.usedBytes);
  }
  const pipeline = createChatPipeline({
    core: environment.core,
    conversations: createConversationsRepository(environment.db),
    config,
    secrets: {},
    logger: silentLogger,
    clock: environment.clock,
  });
  const samples: Sample[] = [];
  for (const turn of conversation.turns) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    const reply = await pipeline.handle({ userId: turn.as ?? "telegram:42" }, turn.say);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    samples.push({
      label: `${conversation.id}: ${turn.say.slice(0, 50)}`,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    // The next message must see what this one started, as a person would.
    if (reply.job) await reply.job.wait().catch(() => undefined);
  }
  environment.db.close();
  return samples;
}

async function round(): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const conversation of CONVERSATIONS) samples.push(...(await runConversation(conversation)));
  return samples;
}

const loadBefore = os.loadavg();
await round();
const rounds: { p50: number; p95: number; cpuP50: number; cpuP95: number; messages: number }[] = [];
const all: Sample[] = [];
for (let index = 0; index < ROUNDS; index += 1) {
  const samples = await round();
  all.push(...samples);
  const wall = samples.map((sample) => sample.wallMs);
  const cpu = samples.map((sample) => sample.cpuMs);
  rounds.push({
    p50: percentile(wall, 0.5),
    p95: percentile(wall, 0.95),
    cpuP50: percentile(cpu, 0.5),
    cpuP95: percentile(cpu, 0.95),
    messages: samples.length,
  });
}
const loadAfter = os.loadavg();
const wall = all.map((sample) => sample.wallMs);
const cpu = all.map((sample) => sample.cpuMs);
const fixed = (value: number) => Number(value.toFixed(3));
// The messages slowest in wall time, by their median over the measured rounds, with their CPU time:
// a wall time far above the CPU time is waiting (the OS, or a timer), not work.
const byLabel = new Map<string, Sample[]>();
for (const sample of all) byLabel.set(sample.label, [...(byLabel.get(sample.label) ?? []), sample]);
const slowest = [...byLabel.entries()]
  .map(([label, samples]) => ({
    label,
    wallMs: fixed(
      percentile(
        samples.map((sample) => sample.wallMs),
        0.5,
      ),
    ),
    cpuMs: fixed(
      percentile(
        samples.map((sample) => sample.cpuMs),
        0.5,
      ),
    ),
  }))
  .sort((a, b) => b.wallMs - a.wallMs)
  .slice(0, 8);

const result = {
  bench: "conversations",
  machine: `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${Math.round(os.totalmem() / 1024 ** 3)} GB, node ${process.version}`,
  date: new Date().toISOString(),
  loadAverage: { before: fixed(loadBefore[0]!), after: fixed(loadAfter[0]!) },
  conversations: CONVERSATIONS.length,
  messagesPerRound: rounds[0]?.messages ?? 0,
  rounds: rounds.map((entry) => ({
    wallP50Ms: fixed(entry.p50),
    wallP95Ms: fixed(entry.p95),
    cpuP50Ms: fixed(entry.cpuP50),
    cpuP95Ms: fixed(entry.cpuP95),
  })),
  wallP50Ms: fixed(percentile(wall, 0.5)),
  wallP95Ms: fixed(percentile(wall, 0.95)),
  wallP99Ms: fixed(percentile(wall, 0.99)),
  wallMaxMs: fixed(Math.max(...wall)),
  cpuP50Ms: fixed(percentile(cpu, 0.5)),
  cpuP95Ms: fixed(percentile(cpu, 0.95)),
  slowest,
  target: { wallP50Ms: TARGET_P50_MS },
  met: percentile(wall, 0.5) < TARGET_P50_MS,
};

console.log(
  `offline chat pipeline over the eval set: ${result.conversations} conversations, ${result.messagesPerRound} messages a round, ${ROUNDS} rounds after 1 warm-up`,
);
console.log(
  `machine ${result.machine}; load average ${result.loadAverage.before} before, ${result.loadAverage.after} after`,
);
console.log("round   wall p50   wall p95   cpu p50   cpu p95   (ms per message)");
for (const [index, entry] of result.rounds.entries()) {
  console.log(
    `${String(index + 1).padStart(5)}   ${entry.wallP50Ms.toFixed(3).padStart(8)}   ${entry.wallP95Ms.toFixed(3).padStart(8)}   ${entry.cpuP50Ms.toFixed(3).padStart(7)}   ${entry.cpuP95Ms.toFixed(3).padStart(7)}`,
  );
}
console.log(
  `all     ${result.wallP50Ms.toFixed(3).padStart(8)}   ${result.wallP95Ms.toFixed(3).padStart(8)}   ${result.cpuP50Ms.toFixed(3).padStart(7)}   ${result.cpuP95Ms.toFixed(3).padStart(7)}   (wall p99 ${result.wallP99Ms}, max ${result.wallMaxMs}); target wall p50 < ${TARGET_P50_MS} ms: ${result.met ? "met" : "not met"}`,
);
console.log("slowest messages (median wall / cpu ms):");
for (const entry of slowest)
  console.log(`  ${entry.wallMs.toFixed(3).padStart(8)} / ${entry.cpuMs.toFixed(3).padStart(7)}  ${entry.label}`);
console.log(JSON.stringify(result));
