/**
 * The SSH gateway end to end: keys registered through the built CLI, `voxnix ssh-gateway` as
 * its own process, and the real OpenSSH client (strict host key checking against the printed
 * host key, batch mode, only the given identity) into a real nspawn container. Covers exec
 * with output and exit status, an interactive terminal session, SFTP when the image has a
 * server, port forwarding to the workload and the refusals: another user's key reads like a
 * missing workload, an unknown key and passwords are refused, forwarding to the host is
 * refused, and a client that vanishes mid-session leaves the gateway running and nothing
 * behind in the container. How people learn the way in is checked on the same run: `ctl
 * create` prints the exact `ssh -p PORT NAME@HOST` line and the dashboard's login link
 * command, the line works as printed, and the chat's answer to "how do I connect to dev?"
 * gives both.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import Database from "better-sqlite3";
import {
  createE2eEnv,
  e2eUnavailable,
  storySteps,
  voxnix,
  waitUntil,
  type E2eEnv,
  runProgram,
  type CliResult,
} from "./harness.js";
import { freePort } from "../../src/host/free-port.js";

const skip =
  e2eUnavailable() ??
  (existsSync("/usr/bin/ssh") ? undefined : "the OpenSSH client is missing (apt-get install -y openssh-client)");
const ALICE = "telegram:42";
const BOB = "telegram:43";

describe("SSH gateway end-to-end: OpenSSH into a real nspawn container", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let keys: string;
  let gateway: ChildProcess | undefined;
  let port = 0;
  let httpPort = 0;
  let knownHosts = "";
  /** The `ssh` line `ctl create` printed. */
  let printedSsh = "";
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
  const ssh = (
    key: string,
    target: string,
    command: readonly string[],
    options: { readonly input?: string | Buffer; readonly extra?: readonly string[] } = {},
  ) =>
    runProgram("ssh", [...sshArgs(key, options.extra ?? []), target, ...command], {
      ...(options.input === undefined ? {} : { input: options.input }),
    });

  before(async () => {
    // Fixed ports, so the lines voxnix prints before the gateway starts name the real ones.
    port = await freePort();
    httpPort = await freePort();
    env = await createE2eEnv({
      extraConfig: {
        ssh: { enabled: true, listen: `127.0.0.1:${port}`, idleTimeoutMinutes: 5 },
        http: { listen: `127.0.0.1:${httpPort}` },
      },
    });
    keys = mkdtempSync(path.join(env.root, "keys-"));
    for (const name of ["alice", "bob", "stranger"]) {
      const made = await runProgram("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        `${name}@test`,
        "-f",
        path.join(keys, name),
      ]);
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
    const fingerprint = (await runProgram("ssh-keygen", ["-lf", path.join(keys, "alice.pub")])).stdout.split(" ")[1];
    assert.equal(
      (JSON.parse(added.stdout) as { result: { fingerprint: string } }).result.fingerprint,
      fingerprint,
      "the fingerprint ssh-keygen prints",
    );
    const fromStdin = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "users", "key", "add", BOB, "-"], {
        env: env.env,
      });
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
    assert.deepEqual(
      (JSON.parse(list.stdout) as { result: { fingerprint: string }[] }).result.map((key) => key.fingerprint),
      [fingerprint],
    );
  });

  step(
    "alice has a container; ctl create prints the exact ssh line and the dashboard's login link command",
    async () => {
      const created = await voxnix(env, ["--as", ALICE, "ctl", "create", "dev", "--module", "git"]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      const lines = created.stdout.split("\n");
      assert.ok(lines.includes(`Get in with: ssh -p ${port} dev@127.0.0.1`), created.stdout);
      assert.ok(
        lines.includes(
          `Dashboard (with a browser terminal): http://127.0.0.1:${httpPort}/web/ (voxnix web link --as ${ALICE} prints a login link)`,
        ),
        created.stdout,
      );
      printedSsh = lines.find((line) => line.startsWith("Get in with: "))!.slice("Get in with: ".length);
      // The command it names, run as printed, prints a login link to that dashboard, for alice.
      const command = /\((voxnix web link [^)]*?) prints a login link\)/.exec(created.stdout)?.[1];
      assert.equal(command, `voxnix web link --as ${ALICE}`);
      const link = await voxnix(env, command.split(" ").slice(1));
      assert.equal(link.code, 0, link.stderr);
      assert.match(
        link.stdout,
        new RegExp(`^http://127\\.0\\.0\\.1:${httpPort}/web/login/vxl_\\S+\\n\\(for ${ALICE}; works once`),
      );
    },
  );

  step('the chat\'s answer to "how do I connect to dev?" gives the same ssh line and the dashboard', async () => {
    const answer = await voxnix(env, ["--as", ALICE, "say", "how do I connect to dev?"]);
    assert.equal(answer.code, 0, answer.stderr);
    assert.ok(answer.stdout.includes(`Open a shell in dev from your computer with: ${printedSsh}\n`), answer.stdout);
    assert.ok(
      answer.stdout.includes(`the dashboard at http://127.0.0.1:${httpPort}/web/ has a terminal for dev`),
      answer.stdout,
    );
  });

  step("the gateway starts, prints its host key, and keeps it private", async () => {
    gateway = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "ssh-gateway"], {
      env: env.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    gateway.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    assert.ok(await waitUntil(() => output.includes("\n"), 30_000), `the gateway did not get ready: ${errors}`);
    const ready = JSON.parse(output.split("\n")[0]!) as {
      event: string;
      port: number;
      hostKey: string;
      fingerprint: string;
      generated: boolean;
    };
    assert.equal(ready.event, "ssh-ready");
    assert.equal(ready.generated, true);
    assert.equal(ready.port, port, "the port ctl create named");
    knownHosts = path.join(keys, "known_hosts");
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${ready.hostKey}\n`);
    const keyFile = path.join(env.root, "state", "ssh", "host_ed25519_key");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const scanned = await runProgram("ssh-keygen", ["-lf", knownHosts]);
    assert.ok(scanned.stdout.includes(ready.fingerprint), "the printed fingerprint is the host key's");
  });

  step("the ssh line ctl create printed works as printed (with alice's key)", async () => {
    const [program, ...args] = printedSsh.split(" ");
    assert.equal(program, "ssh");
    const result = await runProgram("ssh", [...sshArgs("alice").slice(2), ...args, "--", "git", "--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^git version /);
  });

  step("ssh runs a command in alice's own container: its output and exit status come back", async () => {
    const result = await ssh("alice", "dev@127.0.0.1", ["git --version; echo to-stderr >&2; exit 7"]);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stdout, /^git version /);
    assert.match(result.stderr, /to-stderr/);
    const hostname = await ssh("alice", "dev@127.0.0.1", ["cat", "/etc/hostname"]);
    assert.equal(hostname.stdout.trim(), "dev", "the command ran inside the container");
  });

  /** An `ssh -tt` session; `typeLine` waits for the shell's prompt first (a shell starting up may discard early typing). */
  const terminalSession = () => {
    const client = spawn("ssh", [...sshArgs("alice", ["-tt"]), "dev@127.0.0.1"], { stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    let mark = 0;
    client.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => client.on("close", (code) => resolve(code)));
    return {
      client,
      closed,
      screen: () => screen,
      async typeLine(line: string) {
        const prompted = () => /root@dev[^\n]*# /.test(screen.slice(mark));
        assert.ok(await waitUntil(prompted, 30_000), `no prompt: ${screen}`);
        mark = screen.length;
        client.stdin.write(`${line}\n`);
      },
    };
  };

  step("an interactive terminal session takes input and ends with the shell's status", async () => {
    const session = terminalSession();
    await session.typeLine("stty size; echo result-$((6*7))");
    assert.ok(await waitUntil(() => session.screen().includes("result-42"), 30_000), session.screen());
    assert.match(session.screen(), /^\d+ \d+\r?$/m, "the session has a real terminal with a size");
    await session.typeLine("exit 3");
    assert.equal(await session.closed, 3, session.screen());
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
    const password = await ssh("alice", "dev@127.0.0.1", ["true"], {
      extra: ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"],
    });
    assert.equal(password.code, 255);
    assert.match(password.stderr, /Permission denied \(publickey\)/, "only publickey is offered");
    const trace = await ssh("alice", "dev@127.0.0.1", ["test ! -e /tmp/stranger-was-here && echo clean"]);
    assert.equal(trace.stdout.trim(), "clean");
  });

  step("port forwarding reaches a port of the workload, never the host", async () => {
    // A one-shot TCP server inside the container (perl is in every Debian base).
    const server =
      "perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>7007,Listen=>1,ReuseAddr=>1) or die; $c=$s->accept; print $c \"hello from dev\\n\"; close $c'";
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
    const remote = await ssh("alice", "dev@127.0.0.1", ["true"], {
      extra: ["-o", "ExitOnForwardFailure=yes", "-R", "0.0.0.0:7008:127.0.0.1:22"],
    });
    assert.notEqual(remote.code, 0, "remote forwarding (-R) is refused");
  });

  step("scp and sftp work through the workload's own SFTP server", async (): Promise<void> => {
    const hasServer = await ssh("alice", "dev@127.0.0.1", [
      "test -x /usr/lib/openssh/sftp-server && echo yes || echo no",
    ]);
    if (hasServer.stdout.trim() !== "yes") {
      // Images built before openssh-sftp-server joined the base packages lack it: bring Debian's
      // binary in through the gateway itself (binary data on an exec session's standard input).
      const download = mkdtempSync(path.join(env.root, "sftp-"));
      const fetched = await runProgram("apt-get", ["download", "openssh-sftp-server"], {
        cwd: download,
        timeoutMs: 120_000,
      });
      const deb = fetched.code === 0 ? readdirSync(download).find((file) => file.endsWith(".deb")) : undefined;
      if (deb === undefined) {
        console.error(
          `# sftp skipped: the image has no SFTP server and none could be downloaded (${fetched.stderr.trim().slice(-200)})`,
        );
        return;
      }
      assert.equal((await runProgram("dpkg-deb", ["-x", path.join(download, deb), path.join(download, "x")])).code, 0);
      const binary = readFileSync(path.join(download, "x/usr/lib/openssh/sftp-server"));
      const upload = await ssh(
        "alice",
        "dev@127.0.0.1",
        [
          "mkdir -p /usr/lib/openssh && cat > /usr/lib/openssh/sftp-server && chmod 755 /usr/lib/openssh/sftp-server && sha256sum /usr/lib/openssh/sftp-server",
        ],
        { input: binary },
      );
      assert.equal(upload.code, 0, upload.stderr);
      assert.equal(
        upload.stdout.split(" ")[0],
        createHash("sha256").update(binary).digest("hex"),
        "binary input arrives intact",
      );
    }
    const file = path.join(keys, "upload.txt");
    writeFileSync(file, "uploaded by scp\n");
    const scp = await runProgram("scp", [
      "-P",
      String(port),
      ...sshArgs("alice").slice(2),
      file,
      "dev@127.0.0.1:/workspace/upload.txt",
    ]);
    assert.equal(scp.code, 0, scp.stderr);
    assert.equal((await ssh("alice", "dev@127.0.0.1", ["cat /workspace/upload.txt"])).stdout, "uploaded by scp\n");
    const listing = await runProgram(
      "sftp",
      ["-P", String(port), ...sshArgs("alice").slice(2), "-b", "-", "dev@127.0.0.1"],
      {
        input: "ls /workspace\n",
      },
    );
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, /upload\.txt/);
    const theirs = await runProgram("scp", [
      "-P",
      String(port),
      ...sshArgs("bob").slice(2),
      file,
      "dev@127.0.0.1:/workspace/bob.txt",
    ]);
    assert.notEqual(theirs.code, 0, "another user's key cannot copy into the workload");
  });

  step("a client that vanishes mid-session leaves the gateway running and nothing behind", async () => {
    const session = terminalSession();
    const client = session.client;
    await session.typeLine("sleep 300 & echo started-$((1+1))");
    assert.ok(await waitUntil(() => session.screen().includes("started-2"), 30_000), session.screen());
    // What the session started, its background job included (bash gives it a process group of its own).
    const units = async () =>
      (await voxnix(env, ["ctl", "exec", "dev", "--", "sh", "-c", "pgrep -c -x sleep || true"])).stdout.trim();
    assert.notEqual(await units(), "0", "the session's background job runs");
    client.kill("SIGKILL");
    assert.ok(await waitUntil(() => gateway?.exitCode === null, 1000));
    let remaining = "";
    for (let attempt = 0; attempt < 40 && remaining !== "0"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      remaining = await units();
    }
    assert.equal(remaining, "0", "everything the session started was stopped with its client");
    assert.equal(gateway?.exitCode, null, "the gateway is still running");
    const again = await ssh("alice", "dev@127.0.0.1", ["echo still-here"]);
    assert.equal(again.stdout.trim(), "still-here");
  });

  step("every session is audited with who, where, what kind and how it ended, never its data", async () => {
    const db = new Database(path.join(env.root, "state", "voxnix.db"), { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT actor, target, args_json, outcome, error_kind FROM operations WHERE operation = 'openSession' ORDER BY id",
        )
        .all() as {
        actor: string;
        target: string;
        args_json: string;
        outcome: string;
        error_kind: string | null;
      }[];
      const exec = rows.find(
        (row) => row.actor === ALICE && (JSON.parse(row.args_json) as { exitCode?: number }).exitCode === 7,
      );
      assert.ok(exec, JSON.stringify(rows));
      assert.deepEqual(Object.keys(JSON.parse(exec.args_json) as object).sort(), [
        "exitCode",
        "kind",
        "name",
        "ref",
        "terminal",
        "via",
      ]);
      const refused = rows.find((row) => row.actor === BOB);
      assert.equal(refused?.error_kind, "not-found");
      for (const row of rows)
        assert.doesNotMatch(row.args_json, /git --version|result-|sleep 300/, "no command lines or keystrokes");
    } finally {
      db.close();
    }
  });
});
