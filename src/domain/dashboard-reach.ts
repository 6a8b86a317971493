/**
 * Who can open the dashboard's address, and the line that says so at start-up (`voxnix
 * serve`, `voxnix chat --dashboard`, so `npm run up`). Without `http.publicUrl` the links name
 * `http.listen`: on the default loopback address they open on the appliance itself only, which
 * a bare `http://127.0.0.1:8710` does not tell the person reading it on a server over SSH, nor
 * the friend it is forwarded to. The line says where it works and the two ways to reach it from
 * elsewhere (an SSH tunnel now, `http.publicUrl` for good).
 *
 * @module
 */
import { dashboardBaseUrl, splitHostPort, type DashboardSettings } from "./ssh-access.js";

/**
 * `published`: `http.publicUrl` is set. `this-machine`: a loopback `http.listen`, so only the
 * appliance reaches it. `every-interface`: a wildcard `http.listen`, reachable at the
 * machine's addresses, but the links name loopback. `address`: one specific address.
 */
export type DashboardReach = "published" | "this-machine" | "every-interface" | "address";

/** Loopback as `http.listen` may name it. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Who can open the links voxnix prints for this configuration. */
export function dashboardReach(http: DashboardSettings): DashboardReach {
  if (http.publicUrl) return "published";
  const { host } = splitHostPort(http.listen);
  if (host === "" || host === "0.0.0.0" || host === "::") return "every-interface";
  return isLoopback(host) ? "this-machine" : "address";
}

/**
 * The start-up line(s) naming the dashboard (`…/web/`, the page, not the API root), with who
 * can open it. `hostName` is this machine's name, for the tunnel command.
 */
export function dashboardLines(http: DashboardSettings, hostName: string): string[] {
  const where = `${dashboardBaseUrl(http)}/web/`;
  const { port } = splitHostPort(http.listen);
  switch (dashboardReach(http)) {
    case "published":
    case "address":
      return [`The dashboard is at ${where}`];
    case "this-machine":
      return [
        `The dashboard is at ${where} (on this machine only: http.listen is ${http.listen}).`,
        `From another computer: ssh -L ${port}:localhost:${port} ${hostName}, then open the same address there; to share it, set http.publicUrl (docs/web.md).`,
      ];
    case "every-interface":
      return [
        `The dashboard is at ${where} on this machine, and on port ${port} of its network addresses from others.`,
        `Links name ${where} until http.publicUrl says how others reach it (docs/web.md).`,
      ];
  }
}
