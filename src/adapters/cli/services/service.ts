/**
 * The long-running parts of voxnix as services with one shape, and the one loop that runs
 * them: `voxnix serve` (every configured service in one process), `voxnix telegram` and
 * `voxnix http` (one each). Start in order, one readiness line, then wait for SIGINT/SIGTERM
 * or a service failing; stop in reverse order, let running jobs finish (bounded; a second
 * signal cuts it short), exit 0, or rethrow the failure (the CLI maps it to an exit code).
 *
 * @module
 */
import type { CliContext } from "../context.js";

/** One long-running part of voxnix. */
export interface Service {
  /** Short name for log lines ("telegram", "http", "reconcile"). */
  readonly name: string;
  /** What a person reads once it runs ("@voxnix_bot is polling"). */
  readonly ready: string;
  /** Rejects if the service fails after starting (a revoked token); never resolves otherwise. */
  readonly failure: Promise<never>;
  /** Stops taking new work. */
  stop(): Promise<void>;
  /** Resolves once work it started has finished (jobs and their last messages). */
  settled(): Promise<void>;
}

/** Starts one service; throws when it cannot start. */
export type ServiceStarter = () => Promise<Service>;

/** How long a stop waits for running jobs: under systemd's default 90 s stop timeout. */
export const JOB_GRACE_MS = 75_000;

/** A failure that never comes, for services that cannot fail once started. */
export const NEVER_FAILS: Promise<never> = new Promise<never>(() => undefined);

/**
 * Runs `starters` until a stop signal or a failure. `label` prefixes the person-facing lines
 * ("voxnix serve: …").
 */
export async function runServices(
  context: CliContext,
  label: string,
  starters: readonly ServiceStarter[],
): Promise<void> {
  const app = await context.app();
  const running: Service[] = [];
  // Until every service runs, a signal may end the process the default way.
  try {
    for (const start of starters) running.push(await start());
  } catch (error) {
    await stopAll(running);
    throw error;
  }
  // One machine-readable line, before the lines people read, so whoever waits for those sees it too.
  app.logger.info({ event: "ready", services: running.map((service) => service.name) }, "services running");
  for (const service of running) context.say(`${label}: ${service.ready}`);

  // Kept until the very end: while a listener of ours is there, a stop signal cannot kill the
  // process in the middle of a job (execa's signal-exit re-raises a signal only it listens to).
  const stop = stopSignals();
  try {
    const ended = await Promise.race([
      stop.first.then((signal) => ({ signal })),
      ...running.map((service) => service.failure.catch((failure: unknown) => ({ failure }))),
    ]);
    if ("signal" in ended)
      context.say(
        `${label}: ${ended.signal} received; finishing running jobs (up to ${Math.round(JOB_GRACE_MS / 1000)} s), then stopping.`,
      );
    await stopAll(running);
    const settled = Promise.all(running.map((service) => service.settled())).then(() => true);
    const finished = await Promise.race([settled, delay(JOB_GRACE_MS), stop.second.then(() => false)]);
    if (!finished) app.logger.warn({}, "stopped before every running job had finished");
    if ("failure" in ended) throw ended.failure;
    context.say(`${label}: stopped.`);
  } finally {
    stop.dispose();
  }
}

async function stopAll(services: readonly Service[]): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
}

/** SIGINT / SIGTERM, listened to until `dispose()`. */
function stopSignals() {
  let count = 0;
  let onFirst: (signal: NodeJS.Signals) => void = () => undefined;
  let onSecond: () => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => (onFirst = resolve));
  const second = new Promise<void>((resolve) => (onSecond = resolve));
  const listener = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) onFirst(signal);
    else onSecond();
  };
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return {
    first,
    second,
    dispose() {
      process.off("SIGINT", listener);
      process.off("SIGTERM", listener);
    },
  };
}

function delay(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}

/**
 * The configuration error for a listener that could not bind (a port in use, a foreign
 * address, a privileged port), or undefined when the failure is something else. Problems a
 * person can fix in the configuration exit 2, not as bugs.
 */
export async function listenConfigError(
  error: NodeJS.ErrnoException,
  key: string,
  listen: string,
  variable: string,
): Promise<Error | undefined> {
  const { ConfigError } = await import("../../../app/config.js");
  const configError = (message: string) => new ConfigError([{ source: "configuration", path: key, message }]);
  if (error.code === "EADDRINUSE")
    return configError(`${listen} is already in use; choose another port (${variable}).`);
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
    return configError(`${listen} is not an address of this machine.`);
  if (error.code === "EACCES" && typeof error.path !== "string")
    return configError(`Not allowed to listen on ${listen} (ports below 1024 need privileges).`);
  return undefined;
}
