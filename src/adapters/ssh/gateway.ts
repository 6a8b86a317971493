/**
 * The SSH gateway: one port where people reach their workloads with a plain `ssh` client
 * (`ssh -p 2222 dev@host`). The SSH user name names the workload; the key names the person
 * (see `auth.ts`). Everything after authentication goes through the core: sessions
 * (`channels.ts`) and port forwards (`forwarding.ts`) are core operations with the core's
 * policy and audit, so the gateway decides nothing about who may do what.
 *
 * What the gateway itself guards are its own resources: new connections per client address
 * per minute, connections at once, failed authentication attempts per connection, the time
 * a client has to log in, sessions per person, and idle connections. A client that vanishes
 * mid-session only closes its own sessions. Idle warnings for a workload are written into its
 * owner's open terminal sessions on it (`notices.ts`).
 *
 * @module
 */
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { Connection } from "ssh2";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import { splitHostPort } from "../../domain/ssh-access.js";
import type { Logger } from "../../ports/logger.js";
import type { NoticeBoard } from "../../ports/notifier.js";
import { SessionNotices } from "./notices.js";
import { decideAuth } from "./auth.js";
import { handleSessionChannel } from "./channels.js";
import { handleForward } from "./forwarding.js";
import type { HostKey } from "./host-key.js";
import { RateWindow, SessionSlots } from "./limits.js";

/** The gateway's settings (the `ssh` configuration section). */
export interface GatewaySettings {
  readonly listen: string;
  readonly idleTimeoutMinutes: number;
  readonly maxSessionsPerUser: number;
  readonly maxAuthAttempts: number;
  readonly connectionsPerMinute: number;
  readonly maxConnections: number;
  readonly loginGraceSeconds: number;
}

export interface GatewayOptions {
  readonly core: Pick<Core, "authenticateSshKey" | "openSession" | "openForward">;
  readonly hostKey: HostKey;
  readonly settings: GatewaySettings;
  readonly logger: Logger;
  /** The appliance's notices: idle warnings are written into the owner's open terminal sessions. */
  readonly notices?: Pick<NoticeBoard, "subscribe">;
}

/** A listening gateway. */
export interface SshGateway {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes every connection (and so every session), resolves when closed. */
  close(): Promise<void>;
}

/** Starts the gateway on `settings.listen`. Rejects with the listen error (EADDRINUSE, …). */
export async function startSshGateway(options: GatewayOptions): Promise<SshGateway> {
  const { settings, logger } = options;
  const rate = new RateWindow(settings.connectionsPerMinute, 60_000);
  const slots = new SessionSlots(settings.maxSessionsPerUser);
  const connections = new Set<Connection>();
  const idleMs = settings.idleTimeoutMinutes * 60_000;
  const notices = new SessionNotices();
  const stopNotices = options.notices ? notices.attach(options.notices) : () => undefined;

  const server = new ssh2.Server({ hostKeys: [options.hostKey.privateKey], ident: "voxnix" }, (client, info) => {
    const ip = info.ip;
    client.on("error", (error) => logger.debug({ ip, err: error.message }, "ssh-client-error"));
    if (connections.size >= settings.maxConnections || !rate.take(ip)) {
      logger.warn({ ip, open: connections.size }, "ssh-connection-refused");
      client.end();
      return;
    }
    connections.add(client);
    let actor: Actor | undefined;
    let workload = "";
    let failures = 0;
    let lastActivity = Date.now();
    const open = new Set<() => void>();
    const touch = () => {
      lastActivity = Date.now();
    };
    const track = (close: () => void) => {
      open.add(close);
      return () => void open.delete(close);
    };
    const grace = setTimeout(() => {
      if (!actor) client.end();
    }, settings.loginGraceSeconds * 1000);
    grace.unref();
    const idle = setInterval(
      () => {
        if (Date.now() - lastActivity >= idleMs) {
          logger.info({ ip, actor: actor?.userId, workload }, "ssh-idle-timeout");
          client.end();
        }
      },
      Math.min(30_000, Math.max(1000, idleMs / 4)),
    );
    idle.unref();

    client.on("authentication", (context) => {
      const decision = decideAuth(options.core, context);
      if (decision.kind === "accept") {
        if (decision.verified) {
          actor = decision.actor;
          // Only the workload name comes from the user name; it is validated by the core like any name.
          workload = context.username;
          logger.info({ ip, actor: actor.userId, workload: workload.slice(0, 64) }, "ssh-login");
        }
        context.accept();
        return;
      }
      // OpenSSH asks with "none" first to learn the methods; that is not a failed attempt.
      if (context.method !== "none") failures += 1;
      if (decision.reason !== "method" || context.method !== "none")
        logger.info({ ip, method: context.method, reason: decision.reason }, "ssh-auth-refused");
      if (failures >= settings.maxAuthAttempts) {
        context.reject(["publickey"]);
        client.end();
        return;
      }
      context.reject(["publickey"]);
    });

    client.on("ready", () => {
      clearTimeout(grace);
      const who = actor;
      if (!who) {
        client.end();
        return;
      }
      const shared = { actor: who, workload, slots, logger, touch, track, notices };
      client.on("session", (accept) => handleSessionChannel(accept(), { ...shared, core: options.core }));
      client.on(
        "tcpip",
        (accept, reject, request) => void handleForward(accept, reject, request, { ...shared, core: options.core }),
      );
      client.on("openssh.streamlocal", (_accept, reject) => reject());
      // Global requests (remote forwarding, …) are refused.
      client.on("request", (_accept, reject) => reject?.());
    });

    client.on("close", () => {
      clearTimeout(grace);
      clearInterval(idle);
      connections.delete(client);
      for (const close of [...open]) close();
      open.clear();
    });
  });

  const { host, port } = splitHostPort(settings.listen);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (error: Error) => logger.error({ err: error }, "ssh-server-error"));
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        stopNotices();
        server.close(() => resolve());
        for (const client of connections) client.end();
      }),
  };
}
