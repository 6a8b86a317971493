/**
 * Where the dashboard is, for the links voxnix hands out (`voxnix web link`, Telegram's
 * `/web`): `http.publicUrl` when set (a reverse proxy, Tailscale), else the address
 * `http.listen` serves on (a wildcard address becomes loopback, which works on the host only;
 * docs/web.md says to set `http.publicUrl` for anyone else).
 *
 * @module
 */
import { dashboardBaseUrl } from "../../../domain/ssh-access.js";
import type { HttpServerConfig } from "../server.js";

/** The URL of a login link. */
export function loginLinkUrl(config: HttpServerConfig, token: string): string {
  return `${dashboardBaseUrl(config)}/web/login/${encodeURIComponent(token)}`;
}
