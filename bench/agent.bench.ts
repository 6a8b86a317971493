/**
 * Agent benchmarks: the pipeline's own overhead per message with a zero-latency model
 * (MockLanguageModelV3 calling one tool, then answering), the offline engine per message,
 * the prompt size per turn (system prompt + tool schemas + injected context, measured on the
 * HTTP body a real provider client sends, counted in o200k_base tokens with gpt-tokenizer), and
 * the model round trips for "create a container called web with git and fish" against the
 * fake OpenAI-compatible server. Targets: overhead p50 < 5 ms, fixed prompt (rules + tool
 * schemas) ≤ 1,500 tokens, 1 round trip.
 *
 * @module
 */
import os from "node:os";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { SYSTEM_RULES } from "../src/agent/llm/prompt.js";
import { configSchema } from "../src/app/config-schema.js";
import { createChatPipeline } from "../src/agent/pipeline.js";
import { silentLogger } from "../src/ports/logger.js";
import { createTestCore } from "../test/fakes/core-harness.js";
import { startFakeLlmServer } from "../test/fakes/fake-llm-server.js";
import { scriptedModel } from "../test/unit/agent/mock-model.js";
import { createConversationsRepository } from "../src/state/conversations-repository.js";

const alice = { userId: "telegram:42" as const };
const config = configSchema.parse({ conversations: { maxMessages: 40 } });

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function seeded(model?: Parameters<typeof createChatPipeline>[0]["model"]) {
  const test = createTestCore();
  for (const [name, modules] of [
    ["web", ["git", "fish"]],
    ["api", ["devtools"]],
    ["notes", ["code-server"]],
  ] as const) {
    await (await test.core.create(alice, { name, modules: [...modules] })).wait();
  }
  const pipeline = createChatPipeline({
    core: test.core,
    conversations: createConversationsRepository(test.db),
    config,
    secrets: {},
    logger: silentLogger,
    clock: test.clock,
    ...(model ? { model } : {}),
  });
  return { test, pipeline };
}

// Wall time per message, plus this process's CPU time per message: on a shared machine the
// wall time includes time the OS gave to other processes, the CPU time does not.
const cpuSamples = new Map<string, number[]>();
async function time(count: number, work: (index: number) => Promise<unknown>, label = "warm-up"): Promise<number[]> {
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await work(index);
    const used = process.cpuUsage(cpuStarted);
    samples.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  cpuSamples.set(label, cpu);
  return samples;
}

// 1. Agent overhead per message (model latency zero).
const model = scriptedModel([{ tool: "show_container", input: { name: "web" } }], { cycle: true });
const llm = await seeded(model);
await time(50, () => llm.pipeline.handle(alice, "how is web doing?"));
const llmSamples = await time(400, () => llm.pipeline.handle(alice, "how is web doing?"), "llm");

// 2. Offline engine per message.
const offline = await seeded();
const offlineMessages = [
  "how is web doing?",
  "what do I have",
  "stop it",
  "start web",
  "show me the logs of api",
  "restart that",
  "help",
];
await time(50, (index) => offline.pipeline.handle(alice, offlineMessages[index % offlineMessages.length]!));
const offlineSamples = await time(
  400,
  (index) => offline.pipeline.handle(alice, offlineMessages[index % offlineMessages.length]!),
  "offline",
);

// 3 and 4. Prompt size and round trips, over real HTTP against the fake server.
const server = await startFakeLlmServer();
const fake = createOpenAICompatible({ name: "fake", baseURL: server.url, apiKey: "bench" }).chatModel("fake-model");
const http = await seeded(fake);
server.enqueue({ toolCalls: [{ name: "create_container", arguments: { name: "web2", modules: ["git", "fish"] } }] });
const reply = await http.pipeline.handle(alice, "create a container called web2 with git and fish");
await reply.job?.wait();
const roundTrips = server.requests.length;
const first = server.requests[0]!;
const systemContent = first.body.messages[0]?.content;
const system = typeof systemContent === "string" ? systemContent : JSON.stringify(systemContent ?? "");
const toolTokens = encode(JSON.stringify(first.body.tools ?? [])).length;
const systemTokens = encode(system).length;
const rulesTokens = encode(SYSTEM_RULES).length;
const historyTokens = encode(JSON.stringify(first.body.messages.slice(1))).length;
const promptTokens = systemTokens + toolTokens + historyTokens;
await server.close();

const result = {
  machine: `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, node ${process.version}`,
  date: new Date().toISOString(),
  llmOverheadP50Ms: Number(percentile(llmSamples, 0.5).toFixed(3)),
  llmOverheadP95Ms: Number(percentile(llmSamples, 0.95).toFixed(3)),
  llmOverheadCpuP50Ms: Number(percentile(cpuSamples.get("llm")!, 0.5).toFixed(3)),
  loadAverage: os.loadavg()[0],
  offlineP50Ms: Number(percentile(offlineSamples, 0.5).toFixed(3)),
  offlineP95Ms: Number(percentile(offlineSamples, 0.95).toFixed(3)),
  offlineCpuP50Ms: Number(percentile(cpuSamples.get("offline")!, 0.5).toFixed(3)),
  promptTokensPerTurn: promptTokens,
  systemPromptTokens: systemTokens,
  rulesTokens,
  toolSchemaTokens: toolTokens,
  fixedPromptTokens: rulesTokens + toolTokens,
  tokenCounting: "o200k_base tokens (gpt-tokenizer) of the system message, the tools array and the messages as sent",
  createRoundTrips: roundTrips,
  targets: { llmOverheadP50Ms: 5, fixedPromptTokens: 1500, createRoundTrips: 1 },
  met: percentile(llmSamples, 0.5) < 5 && rulesTokens + toolTokens <= 1500 && roundTrips <= 1,
};

console.log(
  `agent benchmark (3 workloads seeded; 400 messages each after 50 warm-up; load average ${os.loadavg()[0]!.toFixed(1)})`,
);
console.log("metric                                   value      target");
console.log(`agent overhead per message, p50 (ms)     ${result.llmOverheadP50Ms.toFixed(3).padStart(8)}   < 5`);
console.log(`agent overhead per message, p95 (ms)     ${result.llmOverheadP95Ms.toFixed(3).padStart(8)}`);
console.log(`agent overhead, CPU time p50 (ms)        ${result.llmOverheadCpuP50Ms.toFixed(3).padStart(8)}`);
console.log(`offline engine per message, p50 (ms)     ${result.offlineP50Ms.toFixed(3).padStart(8)}`);
console.log(`offline engine, CPU time p50 (ms)        ${result.offlineCpuP50Ms.toFixed(3).padStart(8)}`);
console.log(`offline engine per message, p95 (ms)     ${result.offlineP95Ms.toFixed(3).padStart(8)}`);
console.log(`prompt tokens per turn (o200k_base)      ${String(result.promptTokensPerTurn).padStart(8)}`);
console.log(`  of which system prompt + context       ${String(result.systemPromptTokens).padStart(8)}`);
console.log(`  of which tool schemas                  ${String(result.toolSchemaTokens).padStart(8)}`);
console.log(`fixed prompt: rules + tool schemas       ${String(result.fixedPromptTokens).padStart(8)}   <= 1500`);
console.log(`round trips for "create ... web2 ..."    ${String(result.createRoundTrips).padStart(8)}   1`);
console.log(JSON.stringify(result));
