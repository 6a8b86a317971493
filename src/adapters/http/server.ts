/**
 * Serving the API on a socket: `startHttpServer(app, config)` listens on `http.listen` (HTTPS
 * when `http.tls` names a certificate and key) and returns the URL and a `close()` that stops
 * accepting connections and lets requests in flight finish (event streams are cut after a
 * grace period; browser terminals are closed at once, which hangs up their shells). WebSocket
 * upgrades (the terminal) are handled by `ws`. `voxnix http` uses it; a process running several daemons can too.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { MAX_TERMINAL_MESSAGE_BYTES } from "./web/terminal.js";

/** The `http` section of the configuration. */
export interface HttpServerConfig {
  readonly listen: string;
  readonly publicUrl?: string | undefined;
  readonly tls?: { readonly certFile?: string | undefined; readonly keyFile?: string | undefined } | undefined;
}

/** A listening server. */
export interface RunningHttpServer {
  /** Where it listens, e.g. `http://127.0.0.1:8710` (the real port when `listen` asked for 0). */
  readonly url: string;
  /** Stops accepting, waits for requests in flight (at most `graceMs`, default 10 s, then cuts the rest). */
  close(graceMs?: number): Promise<void>;
}

/** Splits `host:port` or `[v6]:port`. */
export function parseListen(listen: string): { readonly hostname: string; readonly port: number } {
  const separator = listen.lastIndexOf(":");
  const host = listen.slice(0, separator);
  return { hostname: host.startsWith("[") ? host.slice(1, -1) : host, port: Number(listen.slice(separator + 1)) };
}

/** Starts serving `app` (anything with a web-standard `fetch`) as configured. */
export async function startHttpServer(
  app: { readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response> },
  config: HttpServerConfig,
): Promise<RunningHttpServer> {
  const { hostname, port } = parseListen(config.listen);
  const tls =
    config.tls?.certFile && config.tls.keyFile
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : undefined;
  // The environment carries the raw Node request, which WebSocket upgrades need.
  const fetch = (request: Request, env: unknown) => app.fetch(request, env);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_TERMINAL_MESSAGE_BYTES });
  const websocket = { server: sockets };
  const server = await new Promise<Server>((resolve, reject) => {
    const started = tls
      ? serve({ fetch, hostname, port, createServer: createHttpsServer, serverOptions: tls, websocket }, () =>
          resolve(started as Server),
        )
      : serve({ fetch, hostname, port, websocket }, () => resolve(started as Server));
    started.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${tls ? "https" : "http"}://${host}:${address.port}`;
  return {
    url,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        for (const client of sockets.clients) client.close(1001, "voxnix is stopping");
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
