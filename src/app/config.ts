/**
 * Loads the configuration: the file named by `VOXNIX_CONFIG` (YAML or JSON), then environment
 * overrides, then validation with the zod schema, then secrets from `*_FILE` variables or the
 * file's `*File` paths. Every problem becomes a `ConfigError` naming the source (file name or
 * environment variable) and the key, so a person can fix it without reading code.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { describeSchemaIssues, inlineSecretIssues } from "./config-checks.js";
import { configSchema, type Config, type Secrets } from "./config-schema.js";

// The YAML parser is loaded only when there is a file to parse, keeping it off the CLI's start-up path.
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require("yaml") as typeof import("yaml")).parse(text);

/** One problem in the configuration. */
export interface ConfigIssue {
  /** Where the bad value came from: the config file's name, an environment variable, or `defaults`. */
  readonly source: string;
  /** Dotted key, e.g. `users.defaults.diskQuota`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** The configuration is invalid; the CLI exits 2 and prints every issue. */
export class ConfigError extends Error {
  readonly kind = "config" as const;
  override readonly name = "ConfigError";
  constructor(
    readonly issues: readonly ConfigIssue[],
    options?: ErrorOptions,
  ) {
    super(
      issues
        .map((issue) =>
          issue.path ? `${issue.source}: ${issue.path}: ${issue.message}` : `${issue.source}: ${issue.message}`,
        )
        .join("; "),
      options,
    );
  }

  /** True for a `ConfigError`, also across module copies. */
  static isInstance(error: unknown): error is ConfigError {
    return error instanceof ConfigError || (error instanceof Error && (error as { kind?: unknown }).kind === "config");
  }
}

/** The result of loading: validated config, secrets kept apart, and the state directory. */
export interface LoadedConfig {
  readonly config: Config;
  readonly secrets: Secrets;
  /** Absolute state directory. */
  readonly stateDir: string;
  /** Absolute path of the file read, when `VOXNIX_CONFIG` was set. */
  readonly configPath?: string;
}

export interface LoadConfigOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The effective user id (default: this process's); root gets `/var/lib/voxnix` as default state directory. */
  readonly uid?: number;
  /** Home directory for the default state directory (default: `os.homedir()`). */
  readonly homeDir?: string;
  /** Base for relative paths given in environment variables (default: `process.cwd()`). */
  readonly cwd?: string;
}

type EnvKind = "string" | "list";

/** Environment variables that override one configuration key each, applied in this order. Documented in docs/configuration.md. */
export const ENV_OVERRIDES: readonly { readonly variable: string; readonly path: string; readonly kind: EnvKind }[] = [
  { variable: "VOXNIX_BACKEND", path: "backend", kind: "string" },
  { variable: "VOXNIX_STATE_DIR", path: "stateDir", kind: "string" },
  { variable: "VOXNIX_STORAGE_DRIVER", path: "storage.driver", kind: "string" },
  { variable: "VOXNIX_LOG_LEVEL", path: "log.level", kind: "string" },
  { variable: "VOXNIX_ADMINS", path: "users.admins", kind: "list" },
  { variable: "VOXNIX_ALLOWLIST", path: "users.allowlist", kind: "list" },
  { variable: "VOXNIX_LLM_PROVIDER", path: "llm.provider", kind: "string" },
  { variable: "VOXNIX_LLM_MODEL", path: "llm.model", kind: "string" },
  { variable: "VOXNIX_LLM_BASE_URL", path: "llm.baseUrl", kind: "string" },
  { variable: "VOXNIX_LLM_API_KEY_FILE", path: "llm.apiKeyFile", kind: "string" },
  { variable: "VOXNIX_TELEGRAM_TOKEN_FILE", path: "telegram.tokenFile", kind: "string" },
  { variable: "VOXNIX_TELEGRAM_MODE", path: "telegram.mode", kind: "string" },
  { variable: "VOXNIX_TELEGRAM_API_ROOT", path: "telegram.apiRoot", kind: "string" },
  { variable: "VOXNIX_TELEGRAM_WEBHOOK_URL", path: "telegram.webhook.url", kind: "string" },
  { variable: "VOXNIX_TELEGRAM_WEBHOOK_SECRET_FILE", path: "telegram.webhook.secretFile", kind: "string" },
  { variable: "VOXNIX_TAILSCALE_OAUTH_CLIENT_ID", path: "tailscale.oauthClientId", kind: "string" },
  { variable: "VOXNIX_TAILSCALE_OAUTH_CLIENT_SECRET_FILE", path: "tailscale.oauthClientSecretFile", kind: "string" },
  { variable: "VOXNIX_TAILSCALE_TAGS", path: "tailscale.tags", kind: "list" },
  { variable: "VOXNIX_SSH_LISTEN", path: "ssh.listen", kind: "string" },
  { variable: "VOXNIX_SSH_PUBLIC_HOST", path: "ssh.publicHost", kind: "string" },
  { variable: "VOXNIX_PROXMOX_URL", path: "proxmox.url", kind: "string" },
  { variable: "VOXNIX_PROXMOX_TOKEN_ID", path: "proxmox.tokenId", kind: "string" },
  { variable: "VOXNIX_PROXMOX_TOKEN_SECRET_FILE", path: "proxmox.tokenSecretFile", kind: "string" },
  { variable: "VOXNIX_HTTP_LISTEN", path: "http.listen", kind: "string" },
  { variable: "VOXNIX_HTTP_PUBLIC_URL", path: "http.publicUrl", kind: "string" },
  { variable: "VOXNIX_HTTP_TLS_CERT_FILE", path: "http.tls.certFile", kind: "string" },
  { variable: "VOXNIX_HTTP_TLS_KEY_FILE", path: "http.tls.keyFile", kind: "string" },
  // The standard OpenTelemetry variable works too; the voxnix one, listed after it, wins.
  { variable: "OTEL_EXPORTER_OTLP_ENDPOINT", path: "telemetry.otlpEndpoint", kind: "string" },
  { variable: "VOXNIX_OTLP_ENDPOINT", path: "telemetry.otlpEndpoint", kind: "string" },
  { variable: "VOXNIX_NIXOS_FLAKE_PATH", path: "nixos.flakePath", kind: "string" },
  { variable: "VOXNIX_NSPAWN_ROOT", path: "nspawn.root", kind: "string" },
  { variable: "VOXNIX_NSPAWN_MIRROR", path: "nspawn.mirror", kind: "string" },
  { variable: "VOXNIX_ZFS_POOL", path: "storage.zfs.pool", kind: "string" },
  { variable: "VOXNIX_BTRFS_DEVICE", path: "storage.btrfs.device", kind: "string" },
];

/** Keys holding file-system paths: relative values are resolved against the file's directory (or the working directory for env). */
const PATH_KEYS = [
  "stateDir",
  "llm.apiKeyFile",
  "telegram.tokenFile",
  "telegram.webhook.secretFile",
  "tailscale.authKeyFile",
  "tailscale.oauthClientSecretFile",
  "proxmox.tokenSecretFile",
  "proxmox.tls.caFile",
  "proxmox.fleet.nixosDirectory",
  "proxmox.fleet.knownHostsFile",
  "proxmox.fleet.secrets.identityFile",
  "proxmox.fleet.secrets.recipientsFile",
  "proxmox.fleet.secrets.sopsConfig",
  "proxmox.fleet.secrets.agenixDirectory",
  "proxmox.fleet.secrets.agenixHostsFile",
  "proxmox.fleet.gitRepo",
  "http.tls.certFile",
  "http.tls.keyFile",
  "ssh.hostKeyFile",
  "nixos.flakePath",
  "nspawn.root",
  "storage.btrfs.image",
  "storage.zfs.mountpoint",
  "storage.btrfs.mountpoint",
  "storage.dir.root",
];

/** Secrets: the `*File` config key (overridable by `<VAR>_FILE`) wins; the plain variable is used only when no file is given. */
const SECRET_SOURCES: readonly {
  readonly secret: keyof Secrets;
  readonly fileKey: string;
  readonly variable: string;
}[] = [
  { secret: "telegramToken", fileKey: "telegram.tokenFile", variable: "VOXNIX_TELEGRAM_TOKEN" },
  { secret: "llmApiKey", fileKey: "llm.apiKeyFile", variable: "VOXNIX_LLM_API_KEY" },
  { secret: "webhookSecret", fileKey: "telegram.webhook.secretFile", variable: "VOXNIX_TELEGRAM_WEBHOOK_SECRET" },
];

/**
 * Loads and validates the configuration. Throws `ConfigError` listing every problem.
 *
 * @example
 * const { config, secrets, stateDir } = loadConfig({ env: process.env });
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sources = new Map<string, string>();
  let raw: Record<string, unknown> = {};
  let configPath: string | undefined;
  let fileLabel = "defaults";

  const configVariable = nonEmpty(env.VOXNIX_CONFIG);
  if (configVariable !== undefined) {
    configPath = resolve(cwd, configVariable);
    fileLabel = basename(configPath);
    raw = readConfigFile(configPath, fileLabel);
    for (const key of PATH_KEYS) resolvePathKey(raw, key, dirname(configPath));
  }

  for (const override of ENV_OVERRIDES) {
    const value = nonEmpty(env[override.variable]);
    if (value === undefined) continue;
    const parsed = override.kind === "list" ? splitList(value) : value;
    setPath(
      raw,
      override.path,
      PATH_KEYS.includes(override.path) && typeof parsed === "string" ? resolve(cwd, parsed) : parsed,
    );
    sources.set(override.path, override.variable);
  }

  // Every problem at once: inline secrets first (their "unknown key" twin is left out).
  const inline = inlineSecretIssues(raw);
  const result = configSchema.safeParse(raw);
  const flagged = new Set(inline.map((issue) => issue.path));
  const problems = [
    ...inline,
    ...(result.success ? [] : describeSchemaIssues(result.error.issues).filter((issue) => !flagged.has(issue.path))),
  ];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(problems.map((issue) => ({ source: sourceOf(issue.path, sources, fileLabel), ...issue })));
  }
  const config = result.data;
  const stateDir =
    config.stateDir ?? defaultStateDir(env, options.uid ?? process.getuid?.() ?? -1, options.homeDir ?? homedir());
  if (!isAbsolute(stateDir)) {
    throw new ConfigError([
      {
        source: sourceOf("stateDir", sources, fileLabel),
        path: "stateDir",
        message: `"${stateDir}" is not an absolute path.`,
      },
    ]);
  }
  const secrets = readSecrets(config, env, sources, fileLabel);
  return { config: { ...config, stateDir }, secrets, stateDir, ...(configPath ? { configPath } : {}) };
}

/**
 * The default state directory: `$XDG_STATE_HOME/voxnix` when set; `/var/lib/voxnix` for root
 * (a system service's place, matching the NixOS module); otherwise `~/.local/state/voxnix`.
 */
export function defaultStateDir(
  env: Readonly<Record<string, string | undefined>>,
  uid: number,
  homeDir: string,
): string {
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "voxnix");
  if (uid === 0) return "/var/lib/voxnix";
  return join(homeDir, ".local", "state", "voxnix");
}

function readConfigFile(path: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      [{ source: "VOXNIX_CONFIG", path: "", message: `cannot read ${path} (${describeFsError(error)}).` }],
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(
      [{ source: label, path: "", message: `not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${detail}` }],
      { cause: error },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([
      { source: label, path: "", message: "the file must contain a mapping of keys (like `backend: nspawn`)." },
    ]);
  }
  return parsed as Record<string, unknown>;
}

function readSecrets(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  sources: ReadonlyMap<string, string>,
  fileLabel: string,
): Secrets {
  const secrets: Record<string, string> = {};
  for (const source of SECRET_SOURCES) {
    const file = getPath(config, source.fileKey);
    if (typeof file === "string") {
      let value: string;
      try {
        value = readFileSync(file, "utf8").trim();
      } catch (error) {
        throw new ConfigError(
          [
            {
              source: sourceOf(source.fileKey, sources, fileLabel),
              path: source.fileKey,
              message: `cannot read the secret file ${file} (${describeFsError(error)}).`,
            },
          ],
          { cause: error },
        );
      }
      if (value === "")
        throw new ConfigError([
          {
            source: sourceOf(source.fileKey, sources, fileLabel),
            path: source.fileKey,
            message: `the secret file ${file} is empty.`,
          },
        ]);
      secrets[source.secret] = value;
      continue;
    }
    const plain = nonEmpty(env[source.variable]);
    if (plain !== undefined) secrets[source.secret] = plain.trim();
  }
  return secrets;
}

function sourceOf(path: string, sources: ReadonlyMap<string, string>, fileLabel: string): string {
  for (const [key, variable] of sources) {
    if (path === key || path.startsWith(`${key}.`)) return variable;
  }
  return fileLabel;
}

function resolvePathKey(raw: Record<string, unknown>, key: string, base: string): void {
  const value = getPath(raw, key);
  if (typeof value === "string" && value !== "" && !isAbsolute(value)) setPath(raw, key, resolve(base, value));
}

function getPath(object: Record<string, unknown>, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = object;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    // A non-object here is a mistake in the file; replacing it lets the env value win and zod report nothing wrong about it.
    if (next === null || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return typeof code === "string" ? code : "unreadable";
}
