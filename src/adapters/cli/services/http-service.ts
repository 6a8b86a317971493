/**
 * The HTTP API as a service (docs/http.md) on `http.listen`: stops accepting on stop and lets
 * requests in flight finish. Logs one JSON line with the URL when ready. Hono and the server
 * are loaded only here.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import type { CliIo } from "../context.js";
import { NEVER_FAILS, type Service } from "./service.js";

/** Starts the API; rejects with a `ConfigError` for an unusable address or TLS files. */
export async function startHttpService(app: App, io: CliIo): Promise<Service> {
  const [{ createHttpApp }, { startHttpServer }, { readVersion }] = await Promise.all([import("../../http/app.js"), import("../../http/server.js"), import("../program.js")]);
  const httpApp = createHttpApp({ core: app.core, logger: app.logger, ...(app.config.http.publicUrl ? { publicUrl: app.config.http.publicUrl } : {}), version: readVersion() });
  const server = await startHttpServer(httpApp, app.config.http).catch(async (error: NodeJS.ErrnoException) => {
    // Problems a person can fix in the configuration are configuration errors (exit 2), not bugs.
    const { ConfigError } = await import("../../../app/config.js");
    const configError = (path: string, message: string) => new ConfigError([{ source: "configuration", path, message }]);
    if (error.code === "EADDRINUSE") throw configError("http.listen", `${app.config.http.listen} is already in use; choose another port (VOXNIX_HTTP_LISTEN).`);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") throw configError("http.listen", `${app.config.http.listen} is not an address of this machine.`);
    if (error.code === "EACCES" && typeof error.path !== "string") throw configError("http.listen", `Not allowed to listen on ${app.config.http.listen} (ports below 1024 need privileges).`);
    if (String(error.code).startsWith("ERR_OSSL")) throw configError("http.tls", `The TLS certificate or key is not usable (${error.message}); give PEM files that belong together.`);
    if (typeof error.path === "string") throw configError("http.tls", `Cannot read ${error.path} (${error.code}); http.tls.certFile and keyFile must be readable PEM files.`);
    throw error;
  });
  // One machine-readable line, whatever the log level: supervisors and scripts wait for it.
  io.stdout(`${JSON.stringify({ event: "http-ready", url: server.url, ...(app.config.http.publicUrl ? { publicUrl: app.config.http.publicUrl } : {}) })}\n`);
  return {
    name: "http",
    ready: `HTTP API at ${server.url}`,
    failure: NEVER_FAILS,
    stop: () => server.close(),
    settled: async () => undefined,
  };
}
