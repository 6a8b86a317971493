/**
 * Configuration sections of the long-running parts `voxnix serve` starts: the Telegram bot,
 * the HTTP API, the SSH gateway, and what `serve` itself runs.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../domain/config-fields.js";

export const telegramSchema = z
  .object({
    tokenFile: z.string().optional(),
    mode: z.enum(["polling", "webhook"]).default("polling"),
    webhook: z
      .object({
        url: z.string().url().optional(),
        port: z.number().int().default(8443),
        secretFile: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** Override for tests and local Bot API servers. */
    apiRoot: z.string().url().optional(),
  })
  .strict()
  .prefault({});

/** What `voxnix serve` runs besides the Telegram bot (which runs whenever a token is configured). */
export const serveSchema = z
  .object({
    /** Serve the HTTP API (on `http.listen`, loopback by default). */
    http: z.boolean().default(true),
    /** Minutes between periodic reconciles; 0 turns them off. */
    reconcileMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(10),
  })
  .strict()
  .prefault({});

export const httpSchema = z
  .object({
    /** `host:port` the HTTP API listens on; loopback by default, so exposing it is a decision. */
    listen: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, like 127.0.0.1:8710 or [::1]:8710")
      .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535")
      .default("127.0.0.1:8710"),
    /** The URL people reach the API at (behind a proxy or Tailscale); shown in logs and the OpenAPI document. */
    publicUrl: z.string().url().optional(),
    /** Serve HTTPS with this certificate and key (PEM files); both or neither. */
    tls: z
      .object({ certFile: z.string().optional(), keyFile: z.string().optional() })
      .strict()
      .refine(
        (tls) => (tls.certFile === undefined) === (tls.keyFile === undefined),
        "set both certFile and keyFile, or neither",
      )
      .prefault({}),
    /** How long a browser terminal's shell survives a dropped connection, so reconnecting reattaches to it (0: it ends at once). */
    terminalReattachSeconds: z.number().int().min(0).max(3600).default(60),
  })
  .strict()
  .prefault({});

export const sshSchema = z
  .object({
    /** Whether people are told about the gateway (chat answers) and `voxnix serve` runs it beside the bot. */
    enabled: z.boolean().default(false),
    /** `host:port` the SSH gateway listens on; loopback by default, so exposing it is a decision. */
    listen: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, like 127.0.0.1:2222 or 0.0.0.0:2222")
      .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535")
      .default("127.0.0.1:2222"),
    /** The host name people type in `ssh -p PORT NAME@HOST` (a LAN name, a Tailscale name); default: the listen host. */
    publicHost: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, "must be a host name or address")
      .optional(),
    /** The port people connect to, when a proxy or port mapping differs from `listen`. */
    publicPort: z.number().int().min(1).max(65535).optional(),
    /** Where the gateway's host key is kept (default `<stateDir>/ssh/host_ed25519_key`); generated on first start. */
    hostKeyFile: z.string().optional(),
    /** A connection with no data either way for this long is closed. */
    idleTimeoutMinutes: z.number().positive().default(30),
    /** Open sessions and forwards per person, over all their connections. */
    maxSessionsPerUser: z.number().int().positive().default(8),
    /** Failed authentication attempts before a connection is dropped. */
    maxAuthAttempts: z.number().int().min(1).max(20).default(6),
    /** New connections accepted per client address per minute. */
    connectionsPerMinute: z.number().int().positive().default(30),
    /** Connections open at once, all clients together. */
    maxConnections: z.number().int().positive().default(64),
    /** Seconds a client has to authenticate. */
    loginGraceSeconds: seconds(30),
  })
  .strict()
  .prefault({});
