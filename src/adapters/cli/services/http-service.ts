/**
 * The HTTP API and the web dashboard as a service (docs/http.md, docs/web.md) on `http.listen`: stops accepting on stop and lets
 * requests in flight finish. Logs one JSON line with the URL when ready. Hono and the server
 * are loaded only here.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import type { CliIo } from "../context.js";
import { listenConfigError, NEVER_FAILS, type Service } from "./service.js";

/** Starts the API; rejects with a `ConfigError` for an unusable address or TLS files. */
export async function startHttpService(app: App, io: CliIo): Promise<Service> {
  const [
    { createHttpApp },
    { startHttpServer },
    { readVersion },
    { sshAccessFrom, sshCommand, splitHostPort, dashboardBaseUrl },
    { dashboardLines },
    { hostname },
  ] = await Promise.all([
    import("../../http/app.js"),
    import("../../http/server.js"),
    import("../program.js"),
    import("../../../domain/ssh-access.js"),
    import("../../../domain/dashboard-reach.js"),
    import("node:os"),
  ]);
  const { http } = app.config;
  const secureCookies =
    Boolean(http.tls?.certFile && http.tls.keyFile) || (http.publicUrl?.startsWith("https://") ?? false);
  const httpApp = createHttpApp({
    core: app.core,
    logger: app.logger,
    ...(http.publicUrl ? { publicUrl: http.publicUrl } : {}),
    secureCookies,
    version: readVersion(),
    terminalReattachMs: http.terminalReattachSeconds * 1000,
    ...(app.config.ssh.enabled ? { sshCommandTemplate: sshCommand(sshAccessFrom(app.config.ssh), "{name}") } : {}),
  });
  const server = await startHttpServer(httpApp, app.config.http).catch(async (error: NodeJS.ErrnoException) => {
    const listenError = await listenConfigError(error, "http.listen", app.config.http.listen, "VOXNIX_HTTP_LISTEN");
    if (listenError) throw listenError;
    const { ConfigError } = await import("../../../app/config.js");
    const configError = (path: string, message: string) =>
      new ConfigError([{ source: "configuration", path, message }]);
    if (String(error.code).startsWith("ERR_OSSL"))
      throw configError(
        "http.tls",
        `The TLS certificate or key is not usable (${error.message}); give PEM files that belong together.`,
      );
    if (typeof error.path === "string")
      throw configError(
        "http.tls",
        `Cannot read ${error.path} (${error.code}); http.tls.certFile and keyFile must be readable PEM files.`,
      );
    throw error;
  });
  // One machine-readable line, whatever the log level: supervisors and scripts wait for it.
  io.stdout(
    `${JSON.stringify({ event: "http-ready", url: server.url, ...(app.config.http.publicUrl ? { publicUrl: app.config.http.publicUrl } : {}) })}\n`,
  );
  // The configured host with the port actually bound (`:0` in tests picks one).
  const host = splitHostPort(http.listen).host;
  const bound = { ...http, listen: `${host.includes(":") ? `[${host}]` : host}:${new URL(server.url).port}` };
  return {
    name: "http",
    ready: [
      ...dashboardLines(bound, hostname()),
      `The HTTP API is at ${dashboardBaseUrl(bound)}/api/v1; voxnix web link prints a login link.`,
    ].join("\n"),
    failure: NEVER_FAILS,
    // Live list streams end first, so their responses finish cleanly instead of being cut after the grace period.
    stop: () => {
      app.endLiveStreams();
      return server.close();
    },
    settled: async () => undefined,
  };
}
