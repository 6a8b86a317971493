/** Every operation runs in a `voxnix.<operation>` span with operation, actor and workload attributes. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, rejection } from "./helpers.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
after(async () => {
  await provider.shutdown();
  trace.disable();
});

void describe("tracing", () => {
  void it("records spans with attributes and marks failures", async () => {
    const t = createTestCore();
    await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    await rejection(t.core.show(actor(TEST_USERS.bob), "dev"));
    const spans = exporter.getFinishedSpans();
    const create = spans.find((span) => span.name === "voxnix.create");
    assert.equal(create?.attributes["voxnix.actor"], "telegram:42");
    assert.equal(create?.attributes["voxnix.workload"], "dev");
    assert.ok(typeof create?.attributes["voxnix.job"] === "string");
    const show = spans.find((span) => span.name === "voxnix.show");
    assert.equal(show?.attributes["voxnix.error_kind"], "not-found");
    assert.equal(show?.status.code, 2);
  });
});
