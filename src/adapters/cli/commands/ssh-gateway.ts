/**
 * `voxnix ssh-gateway`: serves the SSH gateway (docs/ssh.md) on `ssh.listen` until SIGINT or
 * SIGTERM, then closes every connection (ending their sessions) and exits 0. Generates the
 * host key on first start and prints one JSON line with the address, the host key and its
 * fingerprint when ready, so people can check the fingerprint their client shows. ssh2 is
 * loaded only here, inside the action.
 *
 * @module
 */
import type { CliContext, RegisterCommand } from "../context.js";

/** Registers `voxnix ssh-gateway`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("ssh-gateway")
    .description("Serve the SSH gateway (ssh -p PORT WORKLOAD@host, key authentication; see docs/ssh.md) until SIGINT or SIGTERM")
    .action(() => runSshGateway(context));
};

async function runSshGateway(context: CliContext): Promise<void> {
  const app = await context.app();
  const [{ loadOrCreateHostKey, defaultHostKeyFile }, { startSshGateway }, { ConfigError }, { sshAccessFrom, sshCommand }] = await Promise.all([
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
  const gateway = await startSshGateway({ core: app.core, hostKey, settings, logger: app.logger.child({ component: "ssh" }) }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw configError("ssh.listen", `${settings.listen} is already in use; choose another port (VOXNIX_SSH_LISTEN).`);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") throw configError("ssh.listen", `${settings.listen} is not an address of this machine.`);
    if (error.code === "EACCES") throw configError("ssh.listen", `Not allowed to listen on ${settings.listen} (ports below 1024 need privileges).`);
    throw error;
  });
  // One machine-readable line, whatever the log level: supervisors, scripts and tests wait for it.
  context.io.stdout(
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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(name);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  context.warn(`voxnix ssh-gateway: ${signal} received, closing connections.`);
  await gateway.close();
}
