/**
 * The long-running commands: `voxnix serve` runs every configured service in one process
 * (the Telegram bot when a token is configured, the HTTP API and dashboard unless `serve.http`
 * is false, the SSH gateway when `ssh.enabled`, and a periodic reconcile every
 * `serve.reconcileMinutes`, and the inactivity timers when any can fire); `voxnix telegram`, `voxnix http` and `voxnix ssh-gateway` run one each. All stop cleanly on SIGINT/SIGTERM: stop taking work, let
 * running jobs finish (bounded), exit 0. See `services/service.ts`.
 *
 * @module
 */
import type { CliContext, RegisterCommand } from "../context.js";
import type { ServiceStarter } from "../services/service.js";

/** Registers `voxnix serve`, `voxnix telegram` and `voxnix http`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("serve")
    .description(
      "Run voxnix as a service: the Telegram bot (when a token is configured), the HTTP API and a periodic reconcile; one ready line; a graceful stop on SIGTERM",
    )
    .action(() => runServe(context));
  program
    .command("telegram")
    .description("Run only the Telegram bot (long polling, or a webhook when telegram.mode is webhook)")
    .action(async () => {
      const [{ runServices }, { startTelegramService }] = await Promise.all([
        import("../services/service.js"),
        import("../services/telegram-service.js"),
      ]);
      const app = await context.app();
      await runServices(context, "voxnix telegram", [() => startTelegramService(app)]);
    });
  program
    .command("http")
    .description("Run only the HTTP API (bearer API tokens; see docs/http.md) until SIGINT or SIGTERM")
    .action(async () => {
      const [{ runServices }, { startHttpService }] = await Promise.all([
        import("../services/service.js"),
        import("../services/http-service.js"),
      ]);
      const app = await context.app();
      await runServices(context, "voxnix http", [() => startHttpService(app, context.io)]);
    });
};

async function runServe(context: CliContext): Promise<void> {
  const [
    { runServices },
    { startTelegramService, telegramConfigured },
    { startHttpService },
    { startReconcileService },
    { startSshService },
    { startIdleService },
  ] = await Promise.all([
    import("../services/service.js"),
    import("../services/telegram-service.js"),
    import("../services/http-service.js"),
    import("../services/reconcile-service.js"),
    import("../services/ssh-service.js"),
    import("../services/idle-service.js"),
  ]);
  const app = await context.app();
  const { serve } = app.config;
  const starters: ServiceStarter[] = [];
  if (telegramConfigured(app)) starters.push(() => startTelegramService(app));
  if (serve.http) starters.push(() => startHttpService(app, context.io));
  if (app.config.ssh.enabled) starters.push(() => startSshService(app, context.io));
  if (serve.reconcileMinutes > 0) starters.push(() => startReconcileService(app, serve.reconcileMinutes * 60_000));
  if (starters.length === 0) {
    const { ConfigError } = await import("../../../app/config.js");
    throw new ConfigError([
      {
        source: "configuration",
        path: "serve",
        message: "Nothing to serve: configure a Telegram token, or turn on serve.http or serve.reconcileMinutes.",
      },
    ]);
  }
  // The timers always run beside the rest: a round is one query when nothing has a timeout (an owner may set one any time).
  starters.push(() => startIdleService(app, app.config.idle.checkEverySeconds * 1000));
  await runServices(context, "voxnix serve", starters);
}
