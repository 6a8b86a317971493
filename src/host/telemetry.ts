/**
 * OpenTelemetry tracing. Spans are always created through `@opentelemetry/api` (a no-op until a
 * provider is registered); only when `telemetry.otlpEndpoint` is configured does this module
 * load the SDK (with dynamic imports, keeping it off the start-up path), register a
 * `NodeTracerProvider` and export spans in batches over OTLP/HTTP.
 *
 * @module
 */
import { context, propagation, trace } from "@opentelemetry/api";
import type { Config } from "../app/config-schema.js";
import { silentLogger, type Logger } from "../ports/logger.js";

/** Running telemetry; `close` flushes pending spans and unregisters the provider. */
export interface Telemetry {
  readonly enabled: boolean;
  /** Exports pending spans now. */
  flush(): Promise<void>;
  /** Flushes and shuts down; safe to call twice. */
  close(): Promise<void>;
}

const disabled: Telemetry = { enabled: false, flush: async () => undefined, close: async () => undefined };

/**
 * Starts tracing when an OTLP endpoint is configured; otherwise returns a no-op.
 * `otlpEndpoint` is the collector's base URL (`http://collector:4318`); `/v1/traces` is
 * appended unless the URL already ends with it.
 */
export async function startTelemetry(settings: Config["telemetry"], logger: Logger = silentLogger): Promise<Telemetry> {
  if (!settings.otlpEndpoint) return disabled;
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const url = tracesUrl(settings.otlpEndpoint);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  logger.debug({ url }, "telemetry-start");

  let closed = false;
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await provider.shutdown();
      } catch (error) {
        // An unreachable collector must not turn a successful command into a failure.
        logger.warn({ url, error: error instanceof Error ? error.message : String(error) }, "telemetry-export-failed");
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

/** The OTLP/HTTP traces URL for a configured endpoint. */
export function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return trimmed.endsWith("/v1/traces") ? trimmed : `${trimmed}/v1/traces`;
}
