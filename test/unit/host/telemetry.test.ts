import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { startTelemetry, tracesUrl } from "../../../src/host/telemetry.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";

/** A loopback OTLP/HTTP collector that keeps every request. */
async function fakeCollector(): Promise<{
  url: string;
  requests: { path: string; body: string }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ path: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("startTelemetry", () => {
  it("is a no-op without an endpoint", async () => {
    const telemetry = await startTelemetry({ serviceName: "voxnix" });
    assert.equal(telemetry.enabled, false);
    await telemetry.close();
  });

  it("exports the runner's spans to the configured OTLP endpoint on close", async () => {
    const collector = await fakeCollector();
    try {
      const telemetry = await startTelemetry({ otlpEndpoint: collector.url, serviceName: "voxnix-test" });
      assert.equal(telemetry.enabled, true);
      await createCommandRunner().run(process.execPath, ["-e", "0"], { timeoutMs: 10_000 });
      await trace.getTracer("test").startActiveSpan("operation list", async (span) => span.end());
      await telemetry.close();
      const traces = collector.requests.filter((request) => request.path === "/v1/traces");
      assert.ok(traces.length > 0, "the collector received spans");
      const body = traces.map((request) => request.body).join("\n");
      assert.match(body, /voxnix-test/);
      assert.match(body, /command /);
      assert.match(body, /operation list/);
    } finally {
      await collector.close();
    }
  });
});

describe("tracesUrl", () => {
  it("appends /v1/traces to a base endpoint once", () => {
    assert.equal(tracesUrl("http://collector:4318"), "http://collector:4318/v1/traces");
    assert.equal(tracesUrl("http://collector:4318/"), "http://collector:4318/v1/traces");
    assert.equal(tracesUrl("http://collector:4318/v1/traces"), "http://collector:4318/v1/traces");
  });
});

describe("log lines inside spans", () => {
  it("carry the trace and span ids when tracing is on, and nothing extra when it is off", async () => {
    const { createLogger } = await import("../../../src/host/logger.js");
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    logger.info("outside");
    assert.equal(JSON.parse(lines[0]!).trace_id, undefined);

    const collector = await fakeCollector();
    try {
      const telemetry = await startTelemetry({ otlpEndpoint: collector.url, serviceName: "voxnix-test" });
      let ids: { traceId: string; spanId: string } | undefined;
      trace.getTracer("test").startActiveSpan("operation show", (span) => {
        ids = span.spanContext();
        logger.info("inside");
        span.end();
      });
      await telemetry.close();
      const inside = JSON.parse(lines[1]!);
      assert.equal(inside.trace_id, ids?.traceId);
      assert.equal(inside.span_id, ids?.spanId);
    } finally {
      await collector.close();
    }
  });
});
