/**
 * How people reach their workloads over the SSH gateway: the one `ssh` line shown by the
 * chat, Telegram and the CLI, built from where the gateway is published. The workload is the
 * SSH user name; who you are is your key, never that name.
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
export function sshAccessFrom(ssh: { readonly listen: string; readonly publicHost?: string | undefined; readonly publicPort?: number | undefined }): SshAccess {
  const listen = splitHostPort(ssh.listen);
  const wildcard = listen.host === "0.0.0.0" || listen.host === "::" || listen.host === "";
  return { host: ssh.publicHost ?? (wildcard ? "localhost" : listen.host), port: ssh.publicPort ?? listen.port };
}
