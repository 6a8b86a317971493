/**
 * The SSH gateway end to end: keys registered through the built CLI, `voxnix ssh-gateway` as
 * its own process, and the real OpenSSH client (strict host key checking against the printed
 * host key, batch mode, only the given identity) into a real nspawn container. Covers exec
 * with output and exit status, an interactive terminal session, SFTP when the image has a
 * server, port forwarding to the workload and the refusals: another user's key reads like a
 * missing workload, an unknown key and passwords are refused, forwarding to the host is
 * refused, and a client that vanishes mid-session leaves the gateway running and nothing
 * behind in the container.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import Database from "better-sqlite3";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable() ?? (existsSync("/usr/bin/ssh") ? undefined : "the OpenSSH client is missing (apt-get install -y openssh-client)");
const ALICE = "telegram:42";
const BOB = "telegram:43";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with optional input, killing it after `timeoutMs`. */
function run(command: string, args: readonly string[], options: { readonly input?: string; readonly timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

describe("SSH gateway end-to-end: OpenSSH into a real nspawn container", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let keys: string;
  let gateway: ChildProcess | undefined;
  let port = 0;
  let knownHosts = "";
  const { step, failed } = storySteps();

  /** `ssh` as a careful person runs it: only this key, only this host key, never a prompt. */
  const sshArgs = (key: string, extra: readonly string[] = []) => [
    "-p",
    String(port),
    "-i",
    path.join(keys, key),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "ConnectTimeout=20",
    "-F",
    "/dev/null",
    ...extra,
  ];
  const ssh = (key: string, target: string, command: readonly string[], options: { readonly input?: string; readonly extra?: readonly string[] } = {}) =>
    run("ssh", [...sshArgs(key, options.extra ?? []), target, ...command], { ...(options.input === undefined ? {} : { input: options.input }) });

  before(async () => {
    env = await createE2eEnv({ extraConfig: { ssh: { enabled: true, listen: "127.0.0.1:0", idleTimeoutMinutes: 5 } } });
    keys = mkdtempSync(path.join(env.root, "keys-"));
    for (const name of ["alice", "bob", "stranger"]) {
      const made = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", path.join(keys, name)]);
      assert.equal(made.code, 0, made.stderr);
    }
  });
  after(async () => {
    gateway?.kill("SIGTERM");
    if (keys) rmSync(keys, { recursive: true, force: true });
    await env?.cleanup(failed());
  });

  step("keys are registered through the CLI, each to one person only", async () => {
    const added = await voxnix(env, ["--json", "users", "key", "add", ALICE, path.join(keys, "alice.pub")]);
    assert.equal(added.code, 0, added.stdout + added.stderr);
    const fingerprint = (await run("ssh-keygen", ["-lf", path.join(keys, "alice.pub")])).stdout.split(" ")[1];
    assert.equal((JSON.parse(added.stdout) as { result: { fingerprint: string } }).result.fingerprint, fingerprint, "the fingerprint ssh-keygen prints");
    const fromStdin = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "users", "key", "add", BOB, "-"], { env: env.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(readFileSync(path.join(keys, "bob.pub")));
    });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const stolen = await voxnix(env, ["users", "key", "add", BOB, path.join(keys, "alice.pub")]);
    assert.equal(stolen.code, 1, "a key already registered is refused");
    assert.match(stolen.stderr, /already registered/);
    const privateKey = await voxnix(env, ["users", "key", "add", BOB, path.join(keys, "stranger")]);
    assert.equal(privateKey.code, 2);
    assert.match(privateKey.stderr, /private key/);
    assert.doesNotMatch(privateKey.stderr + privateKey.stdout, /OPENSSH PRIVATE KEY-----\n/);
    const list = await voxnix(env, ["--json", "users", "key", "list", ALICE]);
    assert.deepEqual((JSON.parse(list.stdout) as { result: { fingerprint: string }[] }).result.map((key) => key.fingerprint), [fingerprint]);
  });

  step("alice has a container", async () => {
    const created = await voxnix(env, ["--as", ALICE, "ctl", "create", "dev", "--module", "git"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });

  step("the gateway starts, prints its host key, and keeps it private", async () => {
    gateway = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "ssh-gateway"], { env: env.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let errors = "";
    gateway.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    assert.ok(await waitUntil(() => output.includes("\n"), 30_000), `the gateway did not get ready: ${errors}`);
    const ready = JSON.parse(output.split("\n")[0]!) as { event: string; port: number; hostKey: string; fingerprint: string; generated: boolean };
    assert.equal(ready.event, "ssh-ready");
    assert.equal(ready.generated, true);
    port = ready.port;
    knownHosts = path.join(keys, "known_hosts");
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${ready.hostKey}\n`);
    const keyFile = path.join(env.root, "state", "ssh", "host_ed25519_key");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const scanned = await run("ssh-keygen", ["-lf", knownHosts]);
    assert.ok(scanned.stdout.includes(ready.fingerprint), "the printed fingerprint is the host key's");
  });

  step("ssh runs a command in alice's own container: its output and exit status come back", async () => {
    const result = await ssh("alice", "dev@127.0.0.1", ["git --version; echo to-stderr >&2; exit 7"]);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stdout, /^git version /);
    assert.match(result.stderr, /to-stderr/);
    const hostname = await ssh("alice", "dev@127.0.0.1", ["cat", "/etc/hostname"]);
    assert.equal(hostname.stdout.trim(), "dev", "the command ran inside the container");
  });

  step("an interactive terminal session takes input and ends with the shell's status", async () => {
    const result = await ssh("alice", "dev@127.0.0.1", [], { extra: ["-tt"], input: "stty size\necho result-$((6*7))\nexit 3\n" });
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /result-42/);
    assert.match(result.stdout, /^\d+ \d+\r?$/m, "the session has a real terminal with a size");
  });

  step("another user's key gets exactly the answer a missing workload gets", async () => {
    const theirs = await ssh("bob", "dev@127.0.0.1", ["true"]);
    const missing = await ssh("alice", "ghost@127.0.0.1", ["true"]);
    assert.equal(theirs.code, 3, theirs.stderr);
    assert.equal(missing.code, 3, missing.stderr);
    assert.equal(theirs.stderr.replace('"dev"', '"X"'), missing.stderr.replace('"ghost"', '"X"'));
    assert.match(theirs.stderr, /You have no workload called "dev"/);
    assert.equal(theirs.stdout, "");
  });

  step("an unregistered key and passwords are refused before anything runs", async () => {
    const stranger = await ssh("stranger", "dev@127.0.0.1", ["touch /tmp/stranger-was-here"]);
    assert.equal(stranger.code, 255);
    assert.match(stranger.stderr, /Permission denied \(publickey\)/);
    const password = await ssh("alice", "dev@127.0.0.1", ["true"], { extra: ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"] });
    assert.equal(password.code, 255);
    assert.match(password.stderr, /Permission denied \(publickey\)/, "only publickey is offered");
    const trace = await ssh("alice", "dev@127.0.0.1", ["test ! -e /tmp/stranger-was-here && echo clean"]);
    assert.equal(trace.stdout.trim(), "clean");
  });

  step("port forwarding reaches a port of the workload, never the host", async () => {
    // A one-shot TCP server inside the container (perl is in every Debian base).
    const server = "perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>7007,Listen=>1,ReuseAddr=>1) or die; $c=$s->accept; print $c \"hello from dev\\n\"; close $c'";
    const listening = ssh("alice", "dev@127.0.0.1", [server]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const forwarded = await ssh("alice", "dev@127.0.0.1", [], { extra: ["-W", "localhost:7007"] });
    assert.match(forwarded.stdout, /hello from dev/, forwarded.stderr);
    assert.equal((await listening).code, 0);
    const hostAddress = env.subnet.replace(/\.0\/\d+$/, ".1");
    for (const target of [`${hostAddress}:22`, "127.0.0.2:22", "10.0.0.1:80", "example.com:80"]) {
      const refused = await ssh("alice", "dev@127.0.0.1", [], { extra: ["-W", target] });
      assert.equal(refused.code, 255, `forwarding to ${target} must fail`);
      assert.match(refused.stderr, /open failed|administratively prohibited/, refused.stderr);
    }
    const remote = await ssh("alice", "dev@127.0.0.1", ["true"], { extra: ["-o", "ExitOnForwardFailure=yes", "-R", "0.0.0.0:7008:127.0.0.1:22"] });
    assert.notEqual(remote.code, 0, "remote forwarding (-R) is refused");
  });

  step("sftp works when the image has an SFTP server", async (): Promise<void> => {
    const hasServer = await ssh("alice", "dev@127.0.0.1", ["test -x /usr/lib/openssh/sftp-server && echo yes || echo no"]);
    if (hasServer.stdout.trim() !== "yes") {
      console.error("# sftp skipped: this test image predates openssh-sftp-server in the base packages");
      return;
    }
    const file = path.join(keys, "upload.txt");
    writeFileSync(file, "uploaded by scp\n");
    const scp = await run("scp", ["-P", String(port), ...sshArgs("alice").slice(2), file, "dev@127.0.0.1:/tmp/upload.txt"]);
    assert.equal(scp.code, 0, scp.stderr);
    assert.equal((await ssh("alice", "dev@127.0.0.1", ["cat /tmp/upload.txt"])).stdout, "uploaded by scp\n");
  });

  step("a client that vanishes mid-session leaves the gateway running and nothing behind", async () => {
    const client = spawn("ssh", [...sshArgs("alice", ["-tt"]), "dev@127.0.0.1"], { stdio: ["pipe", "pipe", "pipe"] });
    let seen = "";
    client.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    client.stdin.write("sleep 300 & echo started-$((1+1))\n");
    assert.ok(await waitUntil(() => seen.includes("started-2"), 30_000), seen);
    const units = async () => (await voxnix(env, ["ctl", "exec", "dev", "--", "sh", "-c", "systemctl list-units --no-legend 'voxnix-session-*' | wc -l"])).stdout.trim();
    assert.notEqual(await units(), "0", "the session runs as a named service");
    client.kill("SIGKILL");
    assert.ok(await waitUntil(() => gateway?.exitCode === null, 1000));
    let remaining = "";
    for (let attempt = 0; attempt < 40 && remaining !== "0"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      remaining = await units();
    }
    assert.equal(remaining, "0", "the session's service was stopped with its client");
    assert.equal(gateway?.exitCode, null, "the gateway is still running");
    const again = await ssh("alice", "dev@127.0.0.1", ["echo still-here"]);
    assert.equal(again.stdout.trim(), "still-here");
  });

  step("every session is audited with who, where, what kind and how it ended, never its data", async () => {
    const db = new Database(path.join(env.root, "state", "voxnix.db"), { readonly: true });
    try {
      const rows = db.prepare("SELECT actor, target, args_json, outcome, error_kind FROM operations WHERE operation = 'openSession' ORDER BY id").all() as {
        actor: string;
        target: string;
        args_json: string;
        outcome: string;
        error_kind: string | null;
      }[];
      const exec = rows.find((row) => row.actor === ALICE && (JSON.parse(row.args_json) as { exitCode?: number }).exitCode === 7);
      assert.ok(exec, JSON.stringify(rows));
      assert.deepEqual(Object.keys(JSON.parse(exec.args_json) as object).sort(), ["exitCode", "kind", "name", "session", "terminal", "via"]);
      const refused = rows.find((row) => row.actor === BOB);
      assert.equal(refused?.error_kind, "not-found");
      for (const row of rows) assert.doesNotMatch(row.args_json, /git --version|result-|sleep 300/, "no command lines or keystrokes");
    } finally {
      db.close();
    }
  });
});
