/**
 * `npm run eval`: runs the eval conversations against the offline engine (they must all
 * pass, with no destructive plan nobody asked for), prints accuracy per intent, and, when a model is configured through the environment (`VOXNIX_LLM_PROVIDER`,
 * `VOXNIX_LLM_MODEL`, `VOXNIX_LLM_BASE_URL`, `VOXNIX_LLM_API_KEY`), against the model too,
 * reporting accuracy, tokens and latency per conversation. The core runs over the test
 * fakes, so no host and no backend are needed.
 *
 * @module
 */
import type { LanguageModel } from "ai";
import { configSchema, type Config } from "../../app/config-schema.js";
import { createLanguageModel } from "../llm/providers.js";
import { CONVERSATIONS } from "./conversations.js";
import { runEvals, type ConversationResult, type EvalEnvironment } from "./harness.js";
import { formatSummary, summarise } from "./report.js";

interface HarnessModule {
  createEvalCore: (conversation?: { readonly vmRuntime?: boolean }) => EvalEnvironment;
}
interface OracleModule {
  oracleModel: () => LanguageModel;
}

// The fakes live under test/; loaded by path so the build of src/ does not include them.
const harnessUrl = new URL("../../../test/fakes/core-harness.ts", import.meta.url).href;
const { createEvalCore } = (await import(harnessUrl)) as HarnessModule;
const oracleUrl = new URL("../../../test/unit/agent/oracle-model.ts", import.meta.url).href;
const { oracleModel } = (await import(oracleUrl)) as OracleModule;

function table(title: string, results: readonly ConversationResult[], withModel: boolean): void {
  const passed = results.filter((result) => result.passed).length;
  console.log(`\n${title}: ${passed}/${results.length} passed (${((100 * passed) / results.length).toFixed(1)}%)`);
  const header = withModel
    ? "conversation                     result  ms      calls  in-tok  out-tok  fallback"
    : "conversation                     result  ms";
  console.log(header);
  for (const result of results) {
    const base = `${result.id.padEnd(32)} ${(result.passed ? "pass" : "FAIL").padEnd(7)} ${result.latencyMs.toFixed(1).padStart(6)}`;
    console.log(
      withModel
        ? `${base}  ${String(result.modelCalls).padStart(5)}  ${String(result.inputTokens).padStart(6)}  ${String(result.outputTokens).padStart(7)}  ${result.fallbacks}`
        : base,
    );
    for (const failure of result.failures) console.log(`    - ${failure}`);
  }
}

const offlineConfig: Config = configSchema.parse({});
const offline = await runEvals({
  conversations: CONVERSATIONS,
  makeEnvironment: (conversation) => createEvalCore(conversation),
  config: offlineConfig,
});
table("offline engine", offline, false);
const offlineSummary = summarise(offline);
console.log(`\n${formatSummary("offline engine", offlineSummary)}`);

const summary: Record<string, unknown> = {
  conversations: CONVERSATIONS.length,
  offline: {
    passed: offlineSummary.passed,
    accuracy: offlineSummary.accuracy,
    unrequestedDestructive: offlineSummary.unrequestedDestructive,
    failed: offline.filter((result) => !result.passed).map((result) => result.id),
  },
};

// The same set through the LLM tool loop, with a scripted model that picks tools the way the
// offline parser reads each message (no memory of its own): checks tool choice, one model
// call per request, rendering, and that nothing destructive happens unasked.
const scripted = await runEvals({
  conversations: CONVERSATIONS,
  makeEnvironment: (conversation) => createEvalCore(conversation),
  config: offlineConfig,
  model: oracleModel(),
});
const scriptedSummary = summarise(scripted);
console.log(`\n${formatSummary("tool loop with the scripted model", scriptedSummary)}`);
for (const result of scripted.filter((entry) => !entry.passed))
  console.log(`  FAIL ${result.id}: ${result.failures.join("; ")}`);
console.log(
  `  model calls: ${scripted.reduce((sum, result) => sum + result.modelCalls, 0)} for ${CONVERSATIONS.reduce((sum, conversation) => sum + conversation.turns.length, 0)} messages`,
);
summary.scriptedToolLoop = {
  passed: scriptedSummary.passed,
  accuracy: scriptedSummary.accuracy,
  unrequestedDestructive: scriptedSummary.unrequestedDestructive,
  modelCalls: scripted.reduce((sum, result) => sum + result.modelCalls, 0),
  failed: scripted.filter((result) => !result.passed).map((result) => result.id),
};
if (scriptedSummary.unrequestedDestructive > 0) process.exitCode = 1;

const provider = process.env.VOXNIX_LLM_PROVIDER;
if (provider && provider !== "none") {
  const modelConfig: Config = configSchema.parse({
    llm: {
      provider,
      ...(process.env.VOXNIX_LLM_MODEL ? { model: process.env.VOXNIX_LLM_MODEL } : {}),
      ...(process.env.VOXNIX_LLM_BASE_URL ? { baseUrl: process.env.VOXNIX_LLM_BASE_URL } : {}),
    },
  });
  const model = createLanguageModel(modelConfig.llm, process.env.VOXNIX_LLM_API_KEY);
  if (model) {
    const results = await runEvals({
      conversations: CONVERSATIONS,
      makeEnvironment: (conversation) => createEvalCore(conversation),
      config: modelConfig,
      model,
    });
    const title = `model ${modelConfig.llm.provider}/${modelConfig.llm.model ?? "default"}`;
    table(`${title} (operations, confirmations and final state; wording not checked)`, results, true);
    const modelSummary = summarise(results);
    console.log(`\n${formatSummary(title, modelSummary)}`);
    if (modelSummary.unrequestedDestructive > 0) process.exitCode = 1;
    summary.model = {
      unrequestedDestructive: modelSummary.unrequestedDestructive,
      provider: modelConfig.llm.provider,
      accuracy: results.filter((result) => result.passed).length / results.length,
      inputTokens: results.reduce((sum, result) => sum + result.inputTokens, 0),
      outputTokens: results.reduce((sum, result) => sum + result.outputTokens, 0),
      fallbacks: results.reduce((sum, result) => sum + result.fallbacks, 0),
      medianLatencyMs: median(results.map((result) => result.latencyMs)),
    };
  }
}
console.log(JSON.stringify(summary));
if (offline.some((result) => !result.passed) || offlineSummary.unrequestedDestructive > 0) process.exitCode = 1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
}
