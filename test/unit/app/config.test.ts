import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, defaultStateDir, loadConfig } from "../../../src/app/config.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "voxnix-config-"));
}

function writeConfig(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    assert.ok(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("runs on defaults with no file and no variables", () => {
    const loaded = loadConfig({ env: { VOXNIX_STATE_DIR: "/srv/vox" } });
    assert.equal(loaded.config.backend, "nspawn");
    assert.equal(loaded.stateDir, "/srv/vox");
    assert.equal(loaded.configPath, undefined);
    assert.deepEqual(loaded.secrets, {});
  });

  it("reads a YAML file named by VOXNIX_CONFIG", () => {
    const path = writeConfig("config.yaml", "backend: nixos\nusers:\n  defaults:\n    diskQuota: 20G\n");
    const loaded = loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/srv/vox" } });
    assert.equal(loaded.config.backend, "nixos");
    assert.equal(loaded.config.users.defaults.diskQuota, 20 * 1024 ** 3);
    assert.equal(loaded.configPath, path);
  });

  it("reads a JSON file", () => {
    const path = writeConfig("config.json", JSON.stringify({ log: { level: "debug" } }));
    assert.equal(loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/x" } }).config.log.level, "debug");
  });

  it("names the file and the key of a bad value", () => {
    const path = writeConfig("config.yaml", "users:\n  defaults:\n    diskQuota: lots\n");
    const error = configError(() => loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/x" } }));
    assert.match(error.message, /^config\.yaml: users\.defaults\.diskQuota: "lots" is not a size/);
    assert.deepEqual(
      error.issues.map((issue) => [issue.source, issue.path]),
      [["config.yaml", "users.defaults.diskQuota"]],
    );
  });

  it("refuses unknown keys, naming them", () => {
    const path = writeConfig("voxnix.yaml", "backnd: nixos\n");
    const error = configError(() => loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/x" } }));
    assert.match(error.message, /voxnix\.yaml/);
    assert.match(error.message, /backnd/);
  });

  it("reports YAML syntax errors and unreadable files", () => {
    const broken = writeConfig("config.yaml", "backend: [nixos\n");
    assert.match(
      configError(() => loadConfig({ env: { VOXNIX_CONFIG: broken } })).message,
      /config\.yaml: not valid YAML/,
    );
    const missing = join(tempDir(), "absent.yaml");
    assert.match(
      configError(() => loadConfig({ env: { VOXNIX_CONFIG: missing } })).message,
      /VOXNIX_CONFIG: cannot read .*absent\.yaml \(no such file\)/,
    );
    const scalar = writeConfig("config.yaml", "just a string\n");
    assert.match(configError(() => loadConfig({ env: { VOXNIX_CONFIG: scalar } })).message, /mapping/);
  });

  it("lets environment variables override the file", () => {
    const path = writeConfig("config.yaml", "backend: nixos\nlog:\n  level: warn\n");
    const loaded = loadConfig({
      env: {
        VOXNIX_CONFIG: path,
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_LOG_LEVEL: "debug",
        VOXNIX_STATE_DIR: "/srv/vox",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_ADMINS: "telegram:1, telegram:2",
        VOXNIX_ALLOWLIST: "telegram:42",
        VOXNIX_LLM_PROVIDER: "openai-compatible",
        VOXNIX_LLM_MODEL: "qwen",
        VOXNIX_LLM_BASE_URL: "http://127.0.0.1:8080/v1",
        VOXNIX_OTLP_ENDPOINT: "http://127.0.0.1:4318",
        VOXNIX_TAILSCALE_OAUTH_CLIENT_ID: "kClient123",
        VOXNIX_TAILSCALE_OAUTH_CLIENT_SECRET_FILE: "/run/keys/ts-oauth",
        VOXNIX_TAILSCALE_TAGS: "tag:voxnix, tag:dev",
      },
    });
    assert.equal(loaded.config.backend, "nspawn");
    assert.equal(loaded.config.log.level, "debug");
    assert.equal(loaded.config.storage.driver, "dir");
    assert.deepEqual(loaded.config.users.admins, ["telegram:1", "telegram:2"]);
    assert.deepEqual(loaded.config.users.allowlist, ["telegram:42"]);
    assert.equal(loaded.config.llm.provider, "openai-compatible");
    assert.equal(loaded.config.llm.model, "qwen");
    assert.equal(loaded.config.llm.baseUrl, "http://127.0.0.1:8080/v1");
    assert.equal(loaded.config.telemetry.otlpEndpoint, "http://127.0.0.1:4318");
    assert.equal(loaded.config.tailscale.oauthClientId, "kClient123");
    assert.equal(loaded.config.tailscale.oauthClientSecretFile, "/run/keys/ts-oauth");
    assert.deepEqual(loaded.config.tailscale.tags, ["tag:voxnix", "tag:dev"]);
  });

  it("names the environment variable when its value is bad", () => {
    const error = configError(() => loadConfig({ env: { VOXNIX_BACKEND: "docker", VOXNIX_STATE_DIR: "/x" } }));
    assert.equal(error.issues[0]?.source, "VOXNIX_BACKEND");
    assert.equal(error.issues[0]?.path, "backend");
    const admins = configError(() => loadConfig({ env: { VOXNIX_ADMINS: "telegram:1,bob", VOXNIX_STATE_DIR: "/x" } }));
    assert.equal(admins.issues[0]?.source, "VOXNIX_ADMINS");
    assert.equal(admins.issues[0]?.path, "users.admins.1");
  });

  it("takes the OTLP endpoint from OTEL_EXPORTER_OTLP_ENDPOINT unless VOXNIX_OTLP_ENDPOINT is set", () => {
    assert.equal(
      loadConfig({ env: { VOXNIX_STATE_DIR: "/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" } }).config.telemetry
        .otlpEndpoint,
      "http://otel:4318",
    );
    const both = loadConfig({
      env: {
        VOXNIX_STATE_DIR: "/x",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318",
        VOXNIX_OTLP_ENDPOINT: "http://vox:4318",
      },
    });
    assert.equal(both.config.telemetry.otlpEndpoint, "http://vox:4318");
  });

  it("ignores empty environment variables", () => {
    assert.equal(loadConfig({ env: { VOXNIX_BACKEND: "", VOXNIX_STATE_DIR: "/x" } }).config.backend, "nspawn");
  });

  it("resolves relative paths in the file against the file's directory", () => {
    const path = writeConfig("config.yaml", "stateDir: state\n");
    const loaded = loadConfig({ env: { VOXNIX_CONFIG: path } });
    assert.equal(loaded.stateDir, join(path, "..", "state"));
  });
});

describe("secrets", () => {
  it("reads secrets from *_FILE variables, trimming the final newline", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "token"), "123:abc\n");
    writeFileSync(join(dir, "key"), "sk-test\n");
    const loaded = loadConfig({
      env: {
        VOXNIX_STATE_DIR: "/x",
        VOXNIX_TELEGRAM_TOKEN_FILE: join(dir, "token"),
        VOXNIX_LLM_API_KEY_FILE: join(dir, "key"),
      },
    });
    assert.equal(loaded.secrets.telegramToken, "123:abc");
    assert.equal(loaded.secrets.llmApiKey, "sk-test");
    assert.doesNotMatch(JSON.stringify(loaded.config), /123:abc|sk-test/);
  });

  it("reads secrets from the file's *File keys", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "token"), "from-file");
    const path = join(dir, "config.yaml");
    writeFileSync(path, "telegram:\n  tokenFile: token\n");
    assert.equal(
      loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/x" } }).secrets.telegramToken,
      "from-file",
    );
  });

  it("uses the plain variable only when no file is given", () => {
    assert.equal(
      loadConfig({ env: { VOXNIX_STATE_DIR: "/x", VOXNIX_TELEGRAM_TOKEN: "plain" } }).secrets.telegramToken,
      "plain",
    );
    const dir = tempDir();
    writeFileSync(join(dir, "token"), "from-file");
    const loaded = loadConfig({
      env: { VOXNIX_STATE_DIR: "/x", VOXNIX_TELEGRAM_TOKEN: "plain", VOXNIX_TELEGRAM_TOKEN_FILE: join(dir, "token") },
    });
    assert.equal(loaded.secrets.telegramToken, "from-file");
  });

  it("a missing or empty secret file is a ConfigError naming the variable, without the secret", () => {
    const missing = configError(() =>
      loadConfig({ env: { VOXNIX_STATE_DIR: "/x", VOXNIX_LLM_API_KEY_FILE: "/nonexistent/key" } }),
    );
    assert.equal(missing.issues[0]?.source, "VOXNIX_LLM_API_KEY_FILE");
    assert.match(missing.message, /cannot read the secret file \/nonexistent\/key \(no such file\)/);
    const dir = tempDir();
    writeFileSync(join(dir, "empty"), "\n");
    assert.match(
      configError(() => loadConfig({ env: { VOXNIX_STATE_DIR: "/x", VOXNIX_TELEGRAM_TOKEN_FILE: join(dir, "empty") } }))
        .message,
      /is empty/,
    );
  });
});

describe("state directory", () => {
  it("prefers VOXNIX_STATE_DIR over the file's stateDir", () => {
    const path = writeConfig("config.yaml", "stateDir: /from/file\n");
    assert.equal(loadConfig({ env: { VOXNIX_CONFIG: path, VOXNIX_STATE_DIR: "/from/env" } }).stateDir, "/from/env");
    assert.equal(loadConfig({ env: { VOXNIX_CONFIG: path } }).stateDir, "/from/file");
  });

  it("defaults to $XDG_STATE_HOME/voxnix, then /var/lib/voxnix for root, then ~/.local/state/voxnix", () => {
    assert.equal(defaultStateDir({ XDG_STATE_HOME: "/xdg" }, 0, "/root"), "/xdg/voxnix");
    assert.equal(defaultStateDir({}, 0, "/root"), "/var/lib/voxnix");
    assert.equal(defaultStateDir({}, 1000, "/home/ann"), "/home/ann/.local/state/voxnix");
    assert.equal(loadConfig({ env: {}, uid: 1000, homeDir: "/home/ann" }).stateDir, "/home/ann/.local/state/voxnix");
    assert.equal(loadConfig({ env: { XDG_STATE_HOME: "/xdg" }, uid: 0 }).stateDir, "/xdg/voxnix");
  });

  it("resolves a relative VOXNIX_STATE_DIR against the working directory", () => {
    assert.equal(loadConfig({ env: { VOXNIX_STATE_DIR: "rel" }, cwd: "/work" }).stateDir, "/work/rel");
  });
});

describe("strict nested keys, inline secrets, network values, resource minimums", () => {
  const load = (name: string, text: string) =>
    loadConfig({ env: { VOXNIX_CONFIG: writeConfig(name, text), VOXNIX_STATE_DIR: "/x" } });

  it("a typo in a nested key is an error naming the full key and suggesting the right one", () => {
    const error = configError(() => load("config.yaml", "users:\n  defaults:\n    diskQouta: 20G\n"));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["users.defaults.diskQouta"],
    );
    assert.match(error.message, /^config\.yaml: users\.defaults\.diskQouta: unknown key \(did you mean diskQuota\?\)/);
    assert.match(
      configError(() => load("config.yaml", "nspawn:\n  brige: br0\n")).message,
      /nspawn\.brige: unknown key \(did you mean bridge\?\)/,
    );
    assert.match(
      configError(() => load("config.yaml", "telegram:\n  webhook:\n    prot: 1\n")).message,
      /telegram\.webhook\.prot: unknown key/,
    );
  });

  it("an inline secret is refused, pointing to its *File key, without echoing the value", () => {
    for (const [yaml, key, fileKey] of [
      ["telegram:\n  token: 123:ABCSECRETVALUE\n", "telegram.token", "telegram.tokenFile"],
      ["llm:\n  apiKey: sk-SECRETVALUE\n", "llm.apiKey", "llm.apiKeyFile"],
      ["tailscale:\n  authKey: tskey-SECRETVALUE\n", "tailscale.authKey", "tailscale.oauthClientSecretFile"],
      ["telegram:\n  webhook:\n    secret: SECRETVALUE\n", "telegram.webhook.secret", "telegram.webhook.secretFile"],
      ["llm:\n  password: SECRETVALUE\n", "llm.password", "llm.passwordFile"],
    ] as const) {
      const error = configError(() => load("config.yaml", yaml));
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        [key],
      );
      assert.match(error.message, new RegExp(`set ${fileKey.replace(/\./g, "\\.")} to that file's path`));
      assert.doesNotMatch(error.message, /SECRETVALUE/);
    }
    const both = configError(() =>
      load("config.yaml", "telegram:\n  token: SECRETVALUE\nnspawn:\n  bridge: bad/name\n"),
    );
    assert.deepEqual(
      both.issues.map((issue) => issue.path),
      ["telegram.token", "nspawn.bridge"],
      "every problem at once, the secret once",
    );
  });

  it("bad bridge names fail at load", () => {
    for (const bridge of ["a-bridge-name-too-long", "br 0", "br/0", ".", "..", ""]) {
      const error = configError(() => load("config.json", JSON.stringify({ nspawn: { bridge } })));
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ["nspawn.bridge"],
        bridge,
      );
      assert.match(error.message, /not an interface name/);
    }
    assert.match(
      configError(() => load("config.json", JSON.stringify({ nixos: { hostBridge: "x".repeat(16) } }))).message,
      /nixos\.hostBridge/,
    );
    assert.equal(
      load("config.json", JSON.stringify({ nspawn: { bridge: "vx_br.0-a" } })).config.nspawn.bridge,
      "vx_br.0-a",
    );
  });

  it("vm.outbound needs vm.runAs (the firewall that keeps guests off the host matches QEMU's user)", () => {
    const error = configError(() => load("config.json", JSON.stringify({ vm: { outbound: true, runAs: "" } })));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["vm.runAs"],
    );
    assert.match(error.message, /vm\.outbound needs vm\.runAs/);
    assert.equal(load("config.json", JSON.stringify({ vm: { outbound: true } })).config.vm.outbound, true);
    assert.equal(load("config.json", JSON.stringify({ vm: { runAs: "" } })).config.vm.runAs, "");
  });

  it("the subnet must be a private IPv4 CIDR with room for hosts", () => {
    for (const [subnet, reason] of [
      ["10.231.0.0", /not an IPv4 subnet/],
      ["10.231.0.0/31", /from \/8 to \/30/],
      ["10.231.0.0/32", /from \/8 to \/30/],
      ["10.0.0.0/7", /from \/8 to \/30/],
      ["8.8.8.0/24", /not a private range/],
      ["172.32.0.0/16", /not a private range/],
      ["172.16.0.0/11", /not a private range/],
      ["10.256.0.0/24", /not an IPv4 subnet/],
      ["fd00::/64", /not an IPv4 subnet/],
    ] as const) {
      const error = configError(() => load("config.json", JSON.stringify({ nspawn: { subnet } })));
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ["nspawn.subnet"],
        subnet,
      );
      assert.match(error.message, reason, subnet);
    }
    for (const subnet of ["10.231.0.0/24", "172.20.0.0/16", "192.168.7.0/30"]) {
      assert.equal(load("config.json", JSON.stringify({ nspawn: { subnet } })).config.nspawn.subnet, subnet);
    }
  });

  it("pids defaults and budgets are configurable, and resource values below the minimums are refused", () => {
    const loaded = load(
      "config.yaml",
      "users:\n  defaults:\n    pidsBudget: 8192\nresources:\n  defaultPids: 256\n  maxPids: 2048\n",
    );
    assert.equal(loaded.config.users.defaults.pidsBudget, 8192);
    assert.equal(loaded.config.resources.defaultPids, 256);
    assert.equal(loaded.config.resources.maxPids, 2048);
    assert.equal(load("config.yaml", "").config.resources.defaultPids, 512);
    const error = configError(() =>
      load("config.yaml", "resources:\n  defaultPids: 4\n  defaultMemory: 4K\n  defaultCpus: 0.001\n"),
    );
    assert.deepEqual(error.issues.map((issue) => issue.path).sort(), [
      "resources.defaultCpus",
      "resources.defaultMemory",
      "resources.defaultPids",
    ]);
    assert.match(error.message, /at least 64M/);
    assert.match(error.message, /at least 16 processes/);
  });
});

describe("tailscale settings", () => {
  const load = (text: string) =>
    loadConfig({ env: { VOXNIX_CONFIG: writeConfig("config.yaml", text), VOXNIX_STATE_DIR: "/x" } });

  it("refuses the old reusable authKeyFile, pointing to the OAuth client keys", () => {
    const error = configError(() => load("tailscale:\n  authKeyFile: /run/agenix/ts\n"));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["tailscale.authKeyFile"],
    );
    assert.match(
      error.message,
      /no longer supported.*tailscale\.oauthClientId, tailscale\.oauthClientSecretFile and tailscale\.tags/,
    );
  });

  it("needs the client id, the secret file and at least one tag together", () => {
    assert.match(
      configError(() => load("tailscale:\n  oauthClientId: kAbc\n  tags: [tag:voxnix]\n")).message,
      /tailscale\.oauthClientSecretFile: .*go together/,
    );
    assert.match(
      configError(() => load("tailscale:\n  oauthClientId: kAbc\n  oauthClientSecretFile: /s\n")).message,
      /tailscale\.tags: .*at least one tag/,
    );
    assert.match(
      configError(() => load("tailscale:\n  oauthClientId: kAbc\n  oauthClientSecretFile: /s\n  tags: [voxnix]\n"))
        .message,
      /is not a tag/,
    );
    const loaded = load("tailscale:\n  oauthClientId: kAbc\n  oauthClientSecretFile: /s\n  tags: [tag:voxnix]\n");
    assert.equal(loaded.config.tailscale.ephemeral, true);
    assert.equal(loaded.config.tailscale.apiUrl, "https://api.tailscale.com");
    assert.equal(loaded.config.tailscale.tailnet, "-");
  });
});
