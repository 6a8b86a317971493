/**
 * The SSH gateway over the fake runtime, with ssh2's real client on loopback: authentication
 * decisions (registered key, its signature, unknown keys, passwords), sessions joined to the
 * core's `openSession` (output, exit status, the audit record), "not yours" answered exactly
 * like "not found", the per-person session limit, forwarding refused outside the workload,
 * and the host key kept private.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, chmodSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import ssh2 from "ssh2";
import type { ClientChannel } from "ssh2";
import { decideAuth } from "../../../src/adapters/ssh/auth.js";
import { startSshGateway, type GatewaySettings, type SshGateway } from "../../../src/adapters/ssh/gateway.js";
import { loadOrCreateHostKey } from "../../../src/adapters/ssh/host-key.js";
import { createNoticeBoard } from "../../../src/ports/notifier.js";
import { actor, createTestCore, TEST_USERS, type TestCore } from "../../fakes/core-harness.js";
import { createReady } from "../core/helpers.js";

const { Client, utils } = ssh2;

interface KeyPair {
  readonly private: string;
  readonly public: string;
}

const SETTINGS: GatewaySettings = {
  listen: "127.0.0.1:0",
  idleTimeoutMinutes: 5,
  maxSessionsPerUser: 2,
  maxAuthAttempts: 6,
  connectionsPerMinute: 1000,
  maxConnections: 64,
  loginGraceSeconds: 10,
};

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

function connect(
  gateway: SshGateway,
  options: { readonly username: string; readonly privateKey?: string; readonly password?: string },
): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect({
      host: "127.0.0.1",
      port: gateway.port,
      readyTimeout: 10_000,
      hostVerifier: () => true,
      ...options,
    });
  });
}

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | undefined;
}

function collect(channel: ClientChannel): Promise<Outcome> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let code: number | undefined;
    channel.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    channel.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    channel.on("exit", (status: number | null) => (code = status ?? undefined));
    channel.on("close", () => resolve({ stdout, stderr, code }));
  });
}

function exec(client: ssh2.Client, command: string): Promise<Outcome> {
  return new Promise((resolve, reject) =>
    client.exec(command, (error, channel) => (error ? reject(error) : resolve(collect(channel)))),
  );
}

void describe("SSH gateway (fake runtime, real ssh2 client)", () => {
  let t: TestCore;
  let gateway: SshGateway;
  let dir: string;
  let alice: KeyPair;
  let bob: KeyPair;
  let stranger: KeyPair;
  const board = createNoticeBoard();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "vx-ssh-"));
    t = createTestCore();
    alice = utils.generateKeyPairSync("ed25519");
    bob = utils.generateKeyPairSync("ed25519");
    stranger = utils.generateKeyPairSync("ed25519");
    await t.core.addSshKey(actor(TEST_USERS.alice), { publicKey: alice.public });
    await t.core.addSshKey(actor(TEST_USERS.admin), { publicKey: bob.public, userId: TEST_USERS.bob });
    await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    gateway = await startSshGateway({
      core: t.core,
      hostKey: loadOrCreateHostKey(path.join(dir, "host_key")),
      settings: SETTINGS,
      logger: silent,
      notices: board,
    });
  });
  after(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it("decides authentication by the key's owner and its signature only", () => {
    const blob = (pair: KeyPair) => {
      const parsed = utils.parseKey(pair.public);
      assert.ok(!(parsed instanceof Error));
      return parsed.getPublicSSH();
    };
    assert.deepEqual(decideAuth(t.core, { method: "password" }), { kind: "reject", reason: "method" });
    assert.deepEqual(decideAuth(t.core, { method: "publickey", key: { data: blob(stranger) } }), {
      kind: "reject",
      reason: "unknown-key",
    });
    assert.deepEqual(decideAuth(t.core, { method: "publickey", key: { data: blob(alice) } }), {
      kind: "accept",
      actor: { userId: TEST_USERS.alice },
      verified: false,
    });
    const data = Buffer.from("session data");
    const signer = utils.parseKey(alice.private);
    assert.ok(!(signer instanceof Error));
    const signature = signer.sign(data);
    assert.ok(!(signature instanceof Error));
    assert.equal(
      decideAuth(t.core, { method: "publickey", key: { data: blob(alice) }, blob: data, signature }).kind,
      "accept",
    );
    // Bob's key with a signature by alice's private key: not a login.
    assert.deepEqual(decideAuth(t.core, { method: "publickey", key: { data: blob(bob) }, blob: data, signature }), {
      kind: "reject",
      reason: "bad-signature",
    });
  });

  void it("runs a command in the owner's workload and passes its exit status back", async () => {
    t.backend.sessionExitCode = 5;
    const client = await connect(gateway, { username: "dev", privateKey: alice.private });
    try {
      const result = await exec(client, "git --version");
      assert.equal(result.stdout, "git --version\n");
      assert.equal(result.code, 5);
      const opened = t.backend.sessions.at(-1)!;
      assert.deepEqual(opened.options.command, { kind: "exec", command: "git --version" });
      assert.equal(opened.options.terminal, undefined);
    } finally {
      t.backend.sessionExitCode = 0;
      client.end();
    }
  });

  void it("answers another user's workload exactly like a missing one", async () => {
    const asBob = await connect(gateway, { username: "dev", privateKey: bob.private });
    const asAlice = await connect(gateway, { username: "ghost", privateKey: alice.private });
    try {
      const theirs = await exec(asBob, "true");
      const missing = await exec(asAlice, "true");
      assert.equal(theirs.code, 3);
      assert.equal(missing.code, 3);
      assert.equal(theirs.stderr, 'voxnix: You have no workload called "dev".\n');
      assert.equal(missing.stderr, 'voxnix: You have no workload called "ghost".\n');
    } finally {
      asBob.end();
      asAlice.end();
    }
  });

  void it("refuses unknown keys and passwords", async () => {
    await assert.rejects(
      connect(gateway, { username: "dev", privateKey: stranger.private }),
      /All configured authentication methods failed/,
    );
    await assert.rejects(
      connect(gateway, { username: "dev", password: "hunter2" }),
      /All configured authentication methods failed/,
    );
  });

  void it("gives a terminal session the client's terminal type and size", async () => {
    const client = await connect(gateway, { username: "dev", privateKey: alice.private });
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) =>
        client.shell({ term: "xterm-256color", cols: 120, rows: 40 }, (error, opened) =>
          error ? reject(error) : resolve(opened),
        ),
      );
      const done = collect(channel);
      channel.write("hello\n");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const opened = t.backend.sessions.at(-1)!;
      assert.deepEqual(opened.options.terminal, { term: "xterm-256color", cols: 120, rows: 40 });
      opened.process.close();
      const result = await done;
      assert.match(result.stdout, /hello/);
    } finally {
      client.end();
    }
  });

  void it("writes an idle warning into the owner's open terminal on that workload, and nowhere else", async () => {
    const client = await connect(gateway, { username: "dev", privateKey: alice.private });
    try {
      const open = (pty: boolean) =>
        new Promise<ClientChannel>((resolve, reject) => {
          const done = (error: Error | undefined, opened: ClientChannel) => (error ? reject(error) : resolve(opened));
          if (pty) client.shell({ term: "xterm", cols: 80, rows: 24 }, done);
          else client.shell(false, done);
        });
      const terminal = await open(true);
      const piped = await open(false);
      const terminalDone = collect(terminal);
      const pipedDone = collect(piped);
      terminal.write("x\n");
      piped.write("y\n");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopsAt = new Date("2026-01-05T14:05:00Z");
      // Someone else's workload, and another person: not told here.
      await board.notify({
        type: "idle-warning",
        user: TEST_USERS.alice,
        workload: "web",
        stopsAt,
        inMs: 600_000,
        timeZone: "UTC",
      });
      await board.notify({
        type: "idle-warning",
        user: TEST_USERS.bob,
        workload: "dev",
        stopsAt,
        inMs: 600_000,
        timeZone: "UTC",
      });
      await board.notify({
        type: "idle-warning",
        user: TEST_USERS.alice,
        workload: "dev",
        stopsAt,
        inMs: 600_000,
        timeZone: "UTC",
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const session of t.backend.sessions.slice(-2)) session.process.close();
      const [told, untold] = await Promise.all([terminalDone, pipedDone]);
      assert.equal(
        told.stderr,
        "\r\nvoxnix: ⏰ dev stops in 10 minutes (at 14:05) because nobody has used it; type anything here to keep it running.\r\n",
      );
      assert.equal(untold.stderr, "", "a session without a terminal is a byte stream: nothing is written into it");
    } finally {
      client.end();
    }
  });

  void it("limits open sessions per person across connections", async () => {
    const first = await connect(gateway, { username: "dev", privateKey: alice.private });
    const second = await connect(gateway, { username: "dev", privateKey: alice.private });
    try {
      const open = await Promise.all(
        [first, second].map(
          (client) =>
            new Promise<ClientChannel>((resolve, reject) =>
              client.shell(false, (error, channel) => (error ? reject(error) : resolve(channel))),
            ),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await exec(first, "true");
      assert.equal(third.code, 1);
      assert.match(third.stderr, /most sessions open/);
      for (const channel of open) channel.end();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await exec(first, "true")).code, 0, "a slot is free again once a session ended");
    } finally {
      first.end();
      second.end();
    }
  });

  void it("refuses forwarding anywhere but the workload itself", async () => {
    const client = await connect(gateway, { username: "dev", privateKey: alice.private });
    try {
      for (const [host, port] of [
        ["10.231.0.1", 22],
        ["192.168.1.1", 80],
        ["example.com", 443],
        ["10.231.0.99", 22],
      ] as const) {
        await assert.rejects(
          new Promise((resolve, reject) =>
            client.forwardOut("127.0.0.1", 5555, host, port, (error, channel) =>
              error ? reject(error) : resolve(channel),
            ),
          ),
          /Channel open failure/,
          `${host}:${port}`,
        );
      }
      const audit = t.db.sqlite.prepare("SELECT error_kind FROM operations WHERE operation = 'openForward'").all() as {
        error_kind: string;
      }[];
      assert.ok(audit.length >= 4 && audit.every((row) => row.error_kind === "invalid-input"), JSON.stringify(audit));
    } finally {
      client.end();
    }
  });

  void it("audits each session with kind, transport and exit status, never the command", async () => {
    const rows = t.db.sqlite
      .prepare(
        "SELECT actor, target, args_json, outcome FROM operations WHERE operation = 'openSession' AND outcome = 'ok' ORDER BY id",
      )
      .all() as {
      actor: string;
      target: string;
      args_json: string;
    }[];
    const first = JSON.parse(rows[0]!.args_json) as Record<string, unknown>;
    assert.equal(rows[0]!.actor, TEST_USERS.alice);
    assert.equal(rows[0]!.target, "dev");
    assert.equal(first.kind, "exec");
    assert.equal(first.via, "ssh");
    assert.equal(first.exitCode, 5);
    assert.ok(rows.every((row) => !row.args_json.includes("git --version")));
  });

  void it("keeps the host key private, reuses it, and refuses one others can read", () => {
    const file = path.join(dir, "host_key");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = loadOrCreateHostKey(file);
    assert.equal(again.generated, false);
    assert.equal(again.privateKey.toString(), readFileSync(file, "utf8"));
    chmodSync(file, 0o644);
    assert.throws(() => loadOrCreateHostKey(file), /readable by others/);
    chmodSync(file, 0o600);
  });
});
