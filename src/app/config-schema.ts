/**
 * The configuration schema: one file (`VOXNIX_CONFIG`, YAML or JSON) plus environment
 * overrides, validated at start-up. Every key has a default, so voxnix runs with no file.
 * Secrets are never literal values in the file: each secret is a `*File` path (the agenix
 * way) or comes from an environment variable.
 *
 * @module
 */
import { z } from "zod";
import { formatSize, sizeSchema } from "../domain/sizes.js";
import { RESOURCE_MINIMUMS } from "../domain/spec.js";
import { interfaceNameProblem, privateSubnetProblem } from "../domain/network.js";
import { userIdSchema } from "../domain/identity.js";

const seconds = (fallback: number) => z.number().positive().default(fallback);
const cpus = (fallback: number) => z.number().min(RESOURCE_MINIMUMS.cpus, `must be at least ${RESOURCE_MINIMUMS.cpus} CPUs`).default(fallback);
const memory = (fallback: number) =>
  sizeSchema
    .refine((bytes) => bytes >= RESOURCE_MINIMUMS.memoryBytes, `must be at least ${formatSize(RESOURCE_MINIMUMS.memoryBytes)}`)
    .default(fallback);
/** A string checked by `problem`, whose answer (when there is one) is the issue's message. */
const checked = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const message = problem(value);
    if (message !== undefined) context.addIssue({ code: "custom", message });
  });
const pids = (fallback: number) => z.number().int().min(RESOURCE_MINIMUMS.pids, `must be at least ${RESOURCE_MINIMUMS.pids} processes`).default(fallback);

export const BACKEND_NAMES = ["nspawn", "nixos"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const STORAGE_DRIVER_NAMES = ["btrfs", "zfs", "dir"] as const;
export type StorageDriverName = (typeof STORAGE_DRIVER_NAMES)[number];

export const configSchema = z
  .object({
    /** Which container backend runs workloads. */
    backend: z.enum(BACKEND_NAMES).default("nspawn"),
    /** Where the database and generated files live (absolute). Defaults to $XDG_STATE_HOME/voxnix. */
    stateDir: z.string().optional(),

    users: z
      .object({
        /** Users who are admins from the start. `local:admin` is always an admin. */
        admins: z.array(userIdSchema).default([]),
        /** Users admitted without an admin's approval. */
        allowlist: z.array(userIdSchema).default([]),
        /** Limits given to a new user. */
        defaults: z
          .object({
            diskQuota: sizeSchema.default(10 * 1024 ** 3),
            maxWorkloads: z.number().int().positive().default(5),
            cpuBudget: cpus(4),
            memoryBudget: memory(8 * 1024 ** 3),
            /** Processes summed over a user's workloads' `pids` limits. */
            pidsBudget: pids(4096),
          })
          .strict()
          .prefault({}),
      })
      .strict().prefault({}),

    /** Per-workload resource defaults and admin-set maxima. */
    resources: z
      .object({
        defaultCpus: cpus(1),
        maxCpus: cpus(4),
        defaultMemory: memory(1024 ** 3),
        maxMemory: memory(8 * 1024 ** 3),
        /** Most processes (tasks) one workload may run: the cgroup `pids.max`. */
        defaultPids: pids(512),
        maxPids: pids(4096),
      })
      .strict()
      .prefault({}),

    /** Choices that weaken isolation; every one is off unless the admin turns it on. */
    security: z
      .object({
        /** Allow code-server with `auth: none` (a root shell for whoever reaches its port). */
        allowCodeServerWithoutAuth: z.boolean().default(false),
      })
      .strict()
      .prefault({}),

    confirmations: z.object({ ttlSeconds: seconds(300) }).strict().prefault({}),
    snapshots: z.object({ undoWindowHours: z.number().positive().default(24) }).strict().prefault({}),

    storage: z
      .object({
        driver: z.enum(STORAGE_DRIVER_NAMES).optional(),
        zfs: z
          .object({
            pool: z.string().default("tank"),
            /** Where the pool's datasets are mounted; defaults to /<pool> (services.voxnix.poolMountpoint sets it). */
            mountpoint: z.string().optional(),
          })
          .strict()
          .prefault({}),
        btrfs: z
          .object({
            /** A block device to use instead of a loop image. */
            device: z.string().optional(),
            /** Loop image file, created when missing. Defaults to <stateDir>/storage.btrfs.img. */
            image: z.string().optional(),
            imageSize: sizeSchema.default(20 * 1024 ** 3),
            /** Where the file system is mounted. Defaults to <stateDir>/storage. */
            mountpoint: z.string().optional(),
          })
          .strict().prefault({}),
        dir: z.object({ root: z.string().optional() }).strict().prefault({}),
      })
      .strict().prefault({}),

    nixos: z
      .object({
        /** The voxnix source (holding nix/) that generated wrappers import. */
        flakePath: z.string().optional(),
        hostBridge: checked(interfaceNameProblem).default("br-vox"),
        createTimeoutSeconds: seconds(1800),
        commandTimeoutSeconds: seconds(120),
        /** Module sets pre-built by `voxnix images build`. */
        images: z.array(z.array(z.string())).default([["git", "fish", "workspace"]]),
      })
      .strict().prefault({}),

    nspawn: z
      .object({
        /** Where base images and container roots live. Defaults to <stateDir>/nspawn. */
        root: z.string().optional(),
        suite: z.string().default("bookworm"),
        mirror: z.string().default("http://deb.debian.org/debian"),
        bridge: checked(interfaceNameProblem).default("vx-br0"),
        subnet: checked(privateSubnetProblem).default("10.231.0.0/24"),
        nat: z.boolean().default(true),
        /** What the host accepts from containers besides DHCP and DNS: `icmp`, `tcp/<port>`, `udp/<port>`. */
        hostAccess: z.array(z.string().regex(/^(icmp|(tcp|udp)\/([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))$/, "write icmp, tcp/<port> or udp/<port>")).default([]),
        bootTimeoutSeconds: seconds(60),
        stopTimeoutSeconds: seconds(20),
      })
      .strict().prefault({}),

    tailscale: z
      .object({
        /** Refused: a reusable key copied into containers lets root in any of them add devices. */
        authKeyFile: z.string().optional(),
        /** The OAuth client (auth_keys scope) that mints one single-use key per container. Without it, remote access is unavailable. */
        oauthClientId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "is not an OAuth client id").optional(),
        oauthClientSecretFile: z.string().optional(),
        /** Tags every minted key carries (the OAuth client must own them); at least one is required by Tailscale. */
        tags: z.array(z.string().regex(/^tag:[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'is not a tag; write it like "tag:voxnix"')).default([]),
        /** Whether containers join as ephemeral nodes (removed by Tailscale once offline for a while). */
        ephemeral: z.boolean().default(true),
        /** How long a minted key stays usable if the container never joins. */
        keyExpirySeconds: z.number().int().min(60).max(90 * 24 * 3600).default(3600),
        apiUrl: z.string().url().default("https://api.tailscale.com"),
        tailnet: z.string().regex(/^[A-Za-z0-9._@-]+$/).default("-"),
        requestTimeoutSeconds: seconds(15),
      })
      .superRefine((tailscale, context) => {
        if (tailscale.authKeyFile !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["authKeyFile"],
            message:
              "is no longer supported: a reusable key copied into containers lets root in any of them add devices to your tailnet. Configure tailscale.oauthClientId, tailscale.oauthClientSecretFile and tailscale.tags instead; voxnix then mints one single-use key per container.",
          });
        }
        const oauth = [tailscale.oauthClientId, tailscale.oauthClientSecretFile];
        if (oauth.some((value) => value !== undefined) && oauth.some((value) => value === undefined)) {
          context.addIssue({ code: "custom", path: [tailscale.oauthClientId === undefined ? "oauthClientId" : "oauthClientSecretFile"], message: "tailscale.oauthClientId and tailscale.oauthClientSecretFile go together." });
        }
        if (tailscale.oauthClientId !== undefined && tailscale.tags.length === 0) {
          context.addIssue({ code: "custom", path: ["tags"], message: 'keys minted by an OAuth client must carry at least one tag the client owns, like ["tag:voxnix"].' });
        }
      })
      .strict().prefault({}),

    telegram: z
      .object({
        tokenFile: z.string().optional(),
        mode: z.enum(["polling", "webhook"]).default("polling"),
        webhook: z.object({ url: z.string().url().optional(), port: z.number().int().default(8443), secretFile: z.string().optional() }).strict().prefault({}),
        /** Override for tests and local Bot API servers. */
        apiRoot: z.string().url().optional(),
      })
      .strict().prefault({}),

    http: z
      .object({
        /** `host:port` the HTTP API listens on; loopback by default, so exposing it is a decision. */
        listen: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, like 127.0.0.1:8710 or [::1]:8710')
          .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535")
          .default("127.0.0.1:8710"),
        /** The URL people reach the API at (behind a proxy or Tailscale); shown in logs and the OpenAPI document. */
        publicUrl: z.string().url().optional(),
        /** Serve HTTPS with this certificate and key (PEM files); both or neither. */
        tls: z
          .object({ certFile: z.string().optional(), keyFile: z.string().optional() })
          .strict()
          .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), "set both certFile and keyFile, or neither")
          .prefault({}),
      })
      .strict().prefault({}),

    ssh: z
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
        publicHost: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, "must be a host name or address").optional(),
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
      .strict().prefault({}),

    llm: z
      .object({
        provider: z.enum(["none", "anthropic", "openai", "openai-compatible"]).default("none"),
        model: z.string().optional(),
        baseUrl: z.string().url().optional(),
        apiKeyFile: z.string().optional(),
        timeoutSeconds: seconds(60),
        maxSteps: z.number().int().positive().default(5),
      })
      .strict().prefault({}),

    conversations: z
      .object({ idleMinutes: z.number().positive().default(30), maxMessages: z.number().int().positive().default(40) })
      .strict().prefault({}),

    /** Unset: `warn` when stderr is a terminal (a person is reading), `info` otherwise (services, journald). */
    log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional() }).strict().prefault({}),
    telemetry: z.object({ otlpEndpoint: z.string().url().optional(), serviceName: z.string().default("voxnix") }).strict().prefault({}),
  })
  .strict();

/** The validated configuration. Secrets are not part of it; see `Secrets`. */
export type Config = z.output<typeof configSchema>;

/**
 * Secret values, read at start-up from `*File` paths or environment variables and kept
 * apart from `Config` so that printing the config can never print a secret.
 */
export interface Secrets {
  readonly telegramToken?: string;
  readonly llmApiKey?: string;
  readonly webhookSecret?: string;
}
