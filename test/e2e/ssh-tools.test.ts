/**
 * What people's tools do through the SSH gateway, with the real programs against a real nspawn
 * container: `rsync -e ssh` a directory into the workspace and back out (the image carries
 * rsync, the remote half), and what an editor's remote-SSH mode does. VS Code Remote-SSH runs
 * `ssh -T -D PORT HOST bash` with its install script on standard input (it prints markers,
 * `uname -rsv`, checks bash and glibc, starts its server on `--host=127.0.0.1 --port=0` and
 * prints the port), then reaches that server through the `-D` SOCKS proxy at 127.0.0.1:PORT;
 * `-L PORT:localhost:PORT` is its other mode. The server here is bound to the container's
 * loopback only, as VS Code's is, so the container's bridge address cannot reach it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
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
  (existsSync("/usr/bin/ssh") ? undefined : "the OpenSSH client is missing (apt-get install -y openssh-client)") ??
  (existsSync("/usr/bin/rsync") ? undefined : "rsync is missing (apt-get install -y rsync)") ??
  (existsSync("/usr/bin/curl") ? undefined : "curl is missing (apt-get install -y curl)");
const ALICE = "telegram:42";

/** A server bound to the container's loopback only, as VS Code's is; it prints its port like `--port=0` does. */
const EDITOR_SERVER =
  'perl -MIO::Socket::INET -e \'$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>0,Listen=>5,ReuseAddr=>1) or die "$!"; ' +
  '$|=1; print "Extension host agent listening on ".$s->sockport."\\n"; ' +
  'while($c=$s->accept){ while(<$c>){ last if /^\\r?\\n$/ } print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello from the editor server\\n"; close $c }\'';

/** The shape of VS Code Remote-SSH's install script (bash on standard input). */
const INSTALL_SCRIPT = `
set -e
echo "3c7a2d1e: running"
uname -rsv
uname -m
echo "bash version: $BASH_VERSION"
ldd --version | head -n 1
mkdir -p "$HOME/.vscode-server"
cd "$HOME/.vscode-server"
${EDITOR_SERVER} > server.log 2>&1 < /dev/null &
for i in $(seq 1 100); do grep -q "listening on" server.log && break; sleep 0.1; done
port=$(sed -n 's/.*listening on \\([0-9]*\\).*/\\1/p' server.log)
echo "listeningOn==$port=="
echo "3c7a2d1e: end"
# Like the exec server, the script keeps the connection (and so the -D proxy) open.
sleep 300
`;

describe("rsync and an editor's remote-SSH mode through the SSH gateway", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let keys: string;
  let gateway: ChildProcess | undefined;
  let port = 0;
  let knownHosts = "";
  let editorPort = 0;
  /** The editor's `ssh -T -D` connection. */
  let editor: ChildProcess | undefined;
  const { step, failed } = storySteps();

  /** The options every ssh here takes: only this key, only this host key, never a prompt. */
  const sshOptions = () => [
    "-i",
    path.join(keys, "alice"),
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
  ];
  const ssh = (extra: readonly string[], command: readonly string[], input?: string) =>
    runProgram(
      "ssh",
      ["-p", String(port), ...sshOptions(), ...extra, "dev@127.0.0.1", ...command],
      input === undefined ? {} : { input },
    );
  /** rsync's `-e`: the ssh command line it runs (split on spaces by rsync; no option here has one). */
  const rsyncShell = () => ["ssh", "-p", String(port), ...sshOptions()].join(" ");

  before(async () => {
    port = await freePort();
    env = await createE2eEnv({
      extraConfig: { ssh: { enabled: true, listen: `127.0.0.1:${port}`, idleTimeoutMinutes: 5 } },
    });
    keys = mkdtempSync(path.join(env.root, "keys-"));
    const made = await runProgram("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "alice@test",
      "-f",
      path.join(keys, "alice"),
    ]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    editor?.kill("SIGTERM");
    gateway?.kill("SIGTERM");
    if (keys) rmSync(keys, { recursive: true, force: true });
    await env?.cleanup(failed());
  });

  step("alice has a container, a registered key and a running gateway", async () => {
    const added = await voxnix(env, ["users", "key", "add", ALICE, path.join(keys, "alice.pub")]);
    assert.equal(added.code, 0, added.stdout + added.stderr);
    const created = await voxnix(env, ["--as", ALICE, "ctl", "create", "dev"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    gateway = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "ssh-gateway"], {
      env: env.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    gateway.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    assert.ok(await waitUntil(() => output.includes("\n"), 30_000), `the gateway did not get ready: ${errors}`);
    const ready = JSON.parse(output.split("\n")[0]!) as { hostKey: string };
    knownHosts = path.join(keys, "known_hosts");
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${ready.hostKey}\n`);
  });

  step("rsync copies a directory into the workspace, byte for byte, and a second run sends nothing", async () => {
    const source = path.join(keys, "project");
    mkdirSync(path.join(source, "src/deep"), { recursive: true });
    writeFileSync(path.join(source, "README.md"), "# project\n");
    writeFileSync(
      path.join(source, "src/deep/data.bin"),
      Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)),
    );
    symlinkSync("src/deep/data.bin", path.join(source, "link"));
    const into = await runProgram(
      "rsync",
      ["-a", "--stats", "-e", rsyncShell(), `${source}/`, "dev@127.0.0.1:/workspace/project/"],
      { timeoutMs: 120_000 },
    );
    assert.equal(into.code, 0, into.stderr);
    const digest = createHash("sha256")
      .update(readFileSync(path.join(source, "src/deep/data.bin")))
      .digest("hex");
    const inside = await ssh(
      [],
      ["cd /workspace/project && sha256sum src/deep/data.bin && cat README.md && readlink link"],
    );
    assert.equal(inside.code, 0, inside.stderr);
    assert.equal(inside.stdout, `${digest}  src/deep/data.bin\n# project\nsrc/deep/data.bin\n`);
    const again = await runProgram(
      "rsync",
      ["-a", "--stats", "-e", rsyncShell(), `${source}/`, "dev@127.0.0.1:/workspace/project/"],
      { timeoutMs: 120_000 },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /Number of regular files transferred: 0/,
      "an unchanged tree sends no file the second time",
    );
  });

  step("rsync copies the directory back out, with what changed inside", async () => {
    const changed = await ssh([], ["echo 'built inside' > /workspace/project/out.txt"]);
    assert.equal(changed.code, 0, changed.stderr);
    const target = path.join(keys, "back");
    const out = await runProgram(
      "rsync",
      ["-a", "-e", rsyncShell(), "dev@127.0.0.1:/workspace/project/", `${target}/`],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(readFileSync(path.join(target, "out.txt"), "utf8"), "built inside\n");
    assert.deepEqual(
      readFileSync(path.join(target, "src/deep/data.bin")),
      readFileSync(path.join(keys, "project/src/deep/data.bin")),
    );
    assert.equal(readlinkSync(path.join(target, "link")), "src/deep/data.bin");
  });

  step(
    "an editor's remote-SSH: `ssh -T -D PORT dev bash` runs its script and reaches its loopback server through the proxy",
    async () => {
      const socks = await freePort();
      const client = spawn(
        "ssh",
        ["-p", String(port), ...sshOptions(), "-T", "-D", String(socks), "dev@127.0.0.1", "bash"],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
      editor = client;
      let stdout = "";
      let stderr = "";
      client.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      client.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      client.stdin.end(INSTALL_SCRIPT);
      assert.ok(
        await waitUntil(() => stdout.includes("3c7a2d1e: end"), 60_000),
        `the script did not finish: ${stdout}\n${stderr}`,
      );
      const lines = stdout.split("\n");
      assert.equal(lines[0], "3c7a2d1e: running");
      assert.match(lines[1]!, /^Linux \S+ #/, "uname -rsv");
      assert.match(lines[2]!, /^(x86_64|aarch64)$/);
      assert.match(lines[3]!, /^bash version: 5\./);
      assert.match(lines[4]!, /GLIBC 2\.\d+/, "ldd --version: VS Code checks glibc");
      editorPort = Number(/listeningOn==(\d+)==/.exec(stdout)?.[1]);
      assert.ok(editorPort > 0, stdout);
      const through = await runProgram("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${socks}`,
        `http://127.0.0.1:${editorPort}/`,
      ]);
      assert.equal(through.code, 0, `${through.stderr}\n${stderr}`);
      assert.equal(through.stdout, "hello from the editor server\n");
      const viaLocalhost = await runProgram("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${socks}`,
        `http://localhost:${editorPort}/`,
      ]);
      assert.equal(viaLocalhost.stdout, "hello from the editor server\n", viaLocalhost.stderr);
      // The proxy reaches the workload only: the host's side of the bridge is refused.
      const hostAddress = env.subnet.replace(/\.0\/\d+$/, ".1");
      const toHost = await runProgram("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${socks}`,
        `http://${hostAddress}:${port}/`,
      ]);
      assert.notEqual(toHost.code, 0, "a SOCKS request to the host is refused");
    },
  );

  step("`ssh -L` to localhost reaches the same loopback-only server; the container's address does not", async () => {
    // The server lives as long as the editor's connection: a session's processes end with it.
    assert.ok(
      editorPort > 0 && editor?.exitCode === null,
      "the previous step's connection (and so its server) is still up",
    );
    const local = await freePort();
    const tunnel = spawn(
      "ssh",
      [
        "-p",
        String(port),
        ...sshOptions(),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        `${local}:localhost:${editorPort}`,
        "dev@127.0.0.1",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    try {
      let answer: CliResult | undefined;
      for (let attempt = 0; attempt < 40; attempt += 1) {
        answer = await runProgram("curl", ["-sS", "--max-time", "20", `http://127.0.0.1:${local}/`]);
        if (answer.code === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(answer?.stdout, "hello from the editor server\n", answer?.stderr);
      const address = (await ssh([], ["hostname -I"])).stdout.trim().split(/\s+/)[0]!;
      const byAddress = await ssh(["-W", `${address}:${editorPort}`], []);
      assert.equal(byAddress.code, 255, "the container's address does not reach a loopback-only server");
      assert.match(byAddress.stderr, /open failed/);
    } finally {
      tunnel.kill("SIGTERM");
      editor?.kill("SIGTERM");
    }
  });
});
