/**
 * `voxnix http`: serves the HTTP API (docs/http.md) and the web dashboard (docs/web.md) on
 * `http.listen` until SIGINT or SIGTERM, then stops accepting, lets requests in flight finish,
 * and exits 0. Logs one JSON line with the URL when ready. Hono and the server are loaded only
 * here, inside the action. `voxnix serve` starts the same server next to the Telegram bot.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import type { RunningHttpServer } from "../../http/server.js";
import type { CliContext, RegisterCommand } from "../context.js";

/** Registers `voxnix http`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("http")
    .description("Serve the HTTP API and the web dashboard (see docs/http.md, docs/web.md) until SIGINT or SIGTERM")
    .action(() => runHttp(context));
};

/**
 * Starts the HTTP server for `app` as configured. Problems a person can fix in the
 * configuration (port in use, foreign address, unusable certificate) are configuration errors
 * (exit 2), not bugs.
 */
export async function startConfiguredHttp(app: App): Promise<RunningHttpServer> {
  const [{ createHttpApp }, { startHttpServer }, { readVersion }] = await Promise.all([import("../../http/app.js"), import("../../http/server.js"), import("../program.js")]);
  const { http } = app.config;
  const secureCookies = Boolean(http.tls?.certFile && http.tls.keyFile) || (http.publicUrl?.startsWith("https://") ?? false);
  const httpApp = createHttpApp({ core: app.core, logger: app.logger, ...(http.publicUrl ? { publicUrl: http.publicUrl } : {}), secureCookies, version: readVersion() });
  return startHttpServer(httpApp, http).catch(async (error: NodeJS.ErrnoException) => {
    const { ConfigError } = await import("../../../app/config.js");
    const configError = (path: string, message: string) => new ConfigError([{ source: "configuration", path, message }]);
    if (error.code === "EADDRINUSE") throw configError("http.listen", `${http.listen} is already in use; choose another port (VOXNIX_HTTP_LISTEN).`);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") throw configError("http.listen", `${http.listen} is not an address of this machine.`);
    if (error.code === "EACCES" && typeof error.path !== "string") throw configError("http.listen", `Not allowed to listen on ${http.listen} (ports below 1024 need privileges).`);
    if (String(error.code).startsWith("ERR_OSSL")) throw configError("http.tls", `The TLS certificate or key is not usable (${error.message}); give PEM files that belong together.`);
    if (typeof error.path === "string") throw configError("http.tls", `Cannot read ${error.path} (${error.code}); http.tls.certFile and keyFile must be readable PEM files.`);
    throw error;
  });
}

async function runHttp(context: CliContext): Promise<void> {
  const app = await context.app();
  const server = await startConfiguredHttp(app);
  // One machine-readable line, whatever the log level: supervisors and scripts wait for it.
  context.io.stdout(`${JSON.stringify({ event: "http-ready", url: server.url, ...(app.config.http.publicUrl ? { publicUrl: app.config.http.publicUrl } : {}) })}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(name);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  context.warn(`voxnix http: ${signal} received, finishing requests in flight.`);
  await server.close();
}
