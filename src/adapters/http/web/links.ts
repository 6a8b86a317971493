/**
 * Where the dashboard is, for the links voxnix hands out (`voxnix web link`, Telegram's
 * `/web`): `http.publicUrl` when set (a reverse proxy, Tailscale), else the address
 * `http.listen` serves on (a wildcard address becomes loopback, which works on the host only;
 * docs/web.md says to set `http.publicUrl` for anyone else).
 *
 * @module
 */
import { parseListen, type HttpServerConfig } from "../server.js";

/** The base URL of the dashboard's server, without a trailing slash. */
export function dashboardBaseUrl(config: HttpServerConfig): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, "");
  const { hostname, port } = parseListen(config.listen);
  const scheme = config.tls?.certFile && config.tls.keyFile ? "https" : "http";
  const host = hostname === "0.0.0.0" || hostname === "" ? "127.0.0.1" : hostname === "::" ? "[::1]" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `${scheme}://${host}:${port}`;
}

/** The URL of a login link. */
export function loginLinkUrl(config: HttpServerConfig, token: string): string {
  return `${dashboardBaseUrl(config)}/web/login/${encodeURIComponent(token)}`;
}
