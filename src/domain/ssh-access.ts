/**
 * How people reach their workloads: the one `ssh` line of the SSH gateway and the dashboard's
 * address, shown by the chat, Telegram and the CLI, built from where each is published. The
 * workload is the SSH user name; who you are is your key, never that name.
 *
 * @module
 */

/** Where the gateway is reachable, as people should type it. */
export interface SshAccess {
  readonly host: string;
  readonly port: number;
}

/** `ssh -p 2222 dev@host` (no `-p` for port 22; IPv6 addresses as they are, ssh takes them bare). */
export function sshCommand(access: SshAccess, workload: string): string {
  const host = access.host.replace(/^\[(.*)\]$/, "$1");
  return access.port === 22 ? `ssh ${workload}@${host}` : `ssh -p ${access.port} ${workload}@${host}`;
}

/** Splits `host:port` (or `[v6]:port`) into its parts. */
export function splitHostPort(listen: string): { readonly host: string; readonly port: number } {
  const separator = listen.lastIndexOf(":");
  return { host: listen.slice(0, separator).replace(/^\[(.*)\]$/, "$1"), port: Number(listen.slice(separator + 1)) };
}

/** Where people connect: `publicHost`/`publicPort` when set, else the listen address (a wildcard becomes `localhost`). */
export function sshAccessFrom(ssh: {
  readonly listen: string;
  readonly publicHost?: string | undefined;
  readonly publicPort?: number | undefined;
}): SshAccess {
  const listen = splitHostPort(ssh.listen);
  const wildcard = listen.host === "0.0.0.0" || listen.host === "::" || listen.host === "";
  return { host: ssh.publicHost ?? (wildcard ? "localhost" : listen.host), port: ssh.publicPort ?? listen.port };
}

/** The `http.*` settings that say where the dashboard is. */
export interface DashboardSettings {
  readonly listen: string;
  readonly publicUrl?: string | undefined;
  readonly tls?: { readonly certFile?: string | undefined; readonly keyFile?: string | undefined } | undefined;
}

/**
 * The dashboard server's base URL, without a trailing slash: `http.publicUrl` when set (a
 * reverse proxy, Tailscale), else the address `http.listen` serves on (a wildcard address
 * becomes loopback, which works on the host only; docs/web.md says to set `http.publicUrl`).
 */
export function dashboardBaseUrl(http: DashboardSettings): string {
  if (http.publicUrl) return http.publicUrl.replace(/\/+$/, "");
  const { host: hostname, port } = splitHostPort(http.listen);
  const scheme = http.tls?.certFile && http.tls.keyFile ? "https" : "http";
  const host =
    hostname === "0.0.0.0" || hostname === ""
      ? "127.0.0.1"
      : hostname === "::"
        ? "[::1]"
        : hostname.includes(":")
          ? `[${hostname}]`
          : hostname;
  return `${scheme}://${host}:${port}`;
}

/** Where a person can get into their workloads: the SSH gateway and the dashboard, when configured. */
export interface AccessPoints {
  /** The SSH gateway, when `ssh.enabled`. */
  readonly ssh?: SshAccess;
  /** The dashboard's address (`…/web/`), when it is served (`serve.http`) or published (`http.publicUrl`). */
  readonly dashboardUrl?: string;
}

/** The access points a configuration publishes (`ssh.*`; `serve.http` and `http.*`). */
export function accessPointsFrom(config: {
  readonly ssh?:
    | {
        readonly enabled: boolean;
        readonly listen: string;
        readonly publicHost?: string | undefined;
        readonly publicPort?: number | undefined;
      }
    | undefined;
  readonly http?: Partial<DashboardSettings> | undefined;
  readonly serve?: { readonly http: boolean } | undefined;
}): AccessPoints {
  const { listen, publicUrl, tls } = config.http ?? {};
  const served = config.serve?.http === true && listen !== undefined;
  const dashboard = publicUrl || served ? dashboardBaseUrl({ listen: listen ?? "", publicUrl, tls }) : undefined;
  return {
    ...(config.ssh?.enabled ? { ssh: sshAccessFrom(config.ssh) } : {}),
    ...(dashboard ? { dashboardUrl: `${dashboard}/web/` } : {}),
  };
}

/**
 * How to get into a workload just created or restored, one line each: the exact `ssh` line and
 * the dashboard (how a person gets a login link depends on where they are: `/web` in
 * Telegram, `voxnix web link` on the host). Empty when neither is configured.
 */
export function accessLines(workload: string, points: AccessPoints, loginHint: string): string[] {
  const lines: string[] = [];
  if (points.ssh) lines.push(`Get in with: ${sshCommand(points.ssh, workload)}`);
  if (points.dashboardUrl) lines.push(`Dashboard (with a browser terminal): ${points.dashboardUrl} (${loginHint})`);
  return lines;
}
