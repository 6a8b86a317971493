/**
 * The SSH gateway as a service (docs/ssh.md): `ssh -p PORT WORKLOAD@host` with key
 * authentication. Prints one `ssh-ready` JSON line with the host key and its fingerprint.
 * ssh2 is loaded only here.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import type { CliIo } from "../context.js";
import { listenConfigError, NEVER_FAILS, type Service } from "./service.js";

/** Starts the gateway; rejects with a `ConfigError` for an unusable address or host key. */
export async function startSshService(app: App, io: CliIo): Promise<Service> {
  const [
    { loadOrCreateHostKey, defaultHostKeyFile },
    { startSshGateway },
    { ConfigError },
    { sshAccessFrom, sshCommand },
  ] = await Promise.all([
    import("../../ssh/host-key.js"),
    import("../../ssh/gateway.js"),
    import("../../../app/config.js"),
    import("../../../domain/ssh-access.js"),
  ]);
  const configError = (path: string, message: string) => new ConfigError([{ source: "configuration", path, message }]);
  const settings = app.config.ssh;
  let hostKey;
  try {
    hostKey = loadOrCreateHostKey(settings.hostKeyFile ?? defaultHostKeyFile(app.stateDir));
  } catch (error) {
    throw configError("ssh.hostKeyFile", (error as Error).message);
  }
  const gateway = await startSshGateway({
    core: app.core,
    hostKey,
    settings,
    notices: app.notices,
    logger: app.logger.child({ component: "ssh" }),
  }).catch((error: NodeJS.ErrnoException) => {
    return listenConfigError(error, "ssh.listen", settings.listen, "VOXNIX_SSH_LISTEN").then((listenError) => {
      throw listenError ?? error;
    });
  });
  // One machine-readable line, whatever the log level: supervisors, scripts and tests wait for it.
  io.stdout(
    `${JSON.stringify({
      event: "ssh-ready",
      host: gateway.host,
      port: gateway.port,
      hostKey: hostKey.publicKey,
      fingerprint: hostKey.fingerprint,
      generated: hostKey.generated,
      example: sshCommand(sshAccessFrom(settings), "NAME"),
    })}\n`,
  );
  return {
    name: "ssh",
    ready: `SSH gateway on ${gateway.host}:${gateway.port} (host key ${hostKey.fingerprint})`,
    failure: NEVER_FAILS,
    stop: () => gateway.close(),
    settled: async () => undefined,
  };
}
