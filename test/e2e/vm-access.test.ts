/**
 * A VM reached as a container is: through voxnix's SSH gateway and the dashboard's browser
 * terminal, on real QEMU (TCG when KVM is unusable). One VM, created with the built CLI, is
 * reused by every step (a boot under emulation takes minutes). The real OpenSSH client, with
 * strict host key checking against the gateway's printed key, runs a command in the guest
 * (`uname -r` is the guest's cloud kernel, not the host's), gets its output and exit status,
 * opens a terminal, copies a file with scp and lists it with sftp, and forwards a port with
 * `-L`: the guest's own sshd answers, and a port only the host listens on (voxnix's own HTTP
 * server) is not reached. Another user's key gets "not found". Headless Chromium opens the
 * VM's terminal in the dashboard, sees the guest's prompt and runs a command. Needs root, the
 * nspawn tools (the harness), qemu, ssh and chromium; skipped otherwise. The base image comes
 * from `VOXNIX_TEST_CACHE` (built there when missing, as `vm-cli.test.ts` does).
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { release } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort } from "../../src/host/free-port.js";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv, runProgram } from "./harness.js";
import { VM_IMAGE_DIR, VM_PACKAGE_CACHE, ensureVmImage } from "./vm-image.js";

/** Host programs here (a VM under emulation, an idle wake) get two minutes unless told. */
const slowRun = (command: string, args: readonly string[], options: Parameters<typeof runProgram>[2] = {}) =>
  runProgram(command, args, { timeoutMs: 120_000, ...options });

const CHROMIUM = "/usr/bin/chromium";
const CLI = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));
const ALICE = "telegram:42";
const BOB = "telegram:43";
const SLOW = { timeoutMs: 20 * 60_000 };

function unavailable(): string | undefined {
  const e2e = e2eUnavailable();
  if (e2e) return e2e;
  for (const tool of [
    "/usr/bin/qemu-system-x86_64",
    "/usr/bin/qemu-img",
    "/usr/bin/ssh",
    "/usr/bin/scp",
    "/usr/bin/sftp",
    "/usr/sbin/mkfs.ext4",
    CHROMIUM,
  ]) {
    if (!existsSync(tool)) return `${tool} is missing`;
  }
  return undefined;
}

/** Starts a long-running CLI command and resolves with its first stdout line that `ready` accepts. */
function startCli(
  env: E2eEnv,
  args: readonly string[],
  ready: (line: string) => boolean,
): Promise<{ child: ChildProcess; line: string; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: env.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`voxnix ${args.join(" ")} did not get ready: ${stderr}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find(ready);
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ child, line, log: () => stderr });
      }
    });
    child.once("exit", (code) => reject(new Error(`voxnix ${args.join(" ")} exited ${code}: ${stderr}`)));
  });
}

/** The first bytes a TCP connection to 127.0.0.1:`port` receives after sending `send`, or "" if it closes or stays silent. */
function firstBytes(port: number, send: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let data = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("connect", () => socket.write(send));
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      if (data.includes("\n")) done();
    });
    socket.on("error", done);
    socket.on("close", done);
  });
}

describe("a VM through the SSH gateway and the browser terminal", { skip: unavailable(), timeout: 30 * 60_000 }, () => {
  const { step, failed } = storySteps();
  let env: E2eEnv;
  let keys = "";
  let knownHosts = "";
  let sshPort = 0;
  let httpPort = 0;
  let gateway: ChildProcess | undefined;
  let http: ChildProcess | undefined;
  let httpUrl = "";
  let browser: Browser | undefined;

  /** The client options a careful person uses (scp and sftp take the port as -P, ssh as -p). */
  const clientOptions = (key: string) => [
    "-F",
    "/dev/null",
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
    "ConnectTimeout=30",
  ];
  const sshArgs = (key: string, extra: readonly string[] = []) => [
    "-p",
    String(sshPort),
    ...clientOptions(key),
    ...extra,
  ];
  const ssh = (
    key: string,
    command: readonly string[],
    options: { readonly extra?: readonly string[]; readonly input?: string } = {},
  ) =>
    slowRun("ssh", [...sshArgs(key, options.extra ?? []), "lab@127.0.0.1", ...command], {
      ...(options.input === undefined ? {} : { input: options.input }),
    });

  before(async () => {
    sshPort = await freePort();
    httpPort = await freePort();
    env = await createE2eEnv({
      diskQuota: "8G",
      extraConfig: {
        ssh: { enabled: true, listen: `127.0.0.1:${sshPort}`, idleTimeoutMinutes: 10 },
        http: { listen: `127.0.0.1:${httpPort}` },
        vm: {
          runtime: "qemu",
          imageDir: VM_IMAGE_DIR,
          packageCache: VM_PACKAGE_CACHE,
          bootTimeoutSeconds: 600,
          stopTimeoutSeconds: 60,
        },
      },
    });
    keys = mkdtempSync(path.join(env.root, "keys-"));
    for (const name of ["alice", "bob"]) {
      const made = await slowRun("ssh-keygen", [
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
    await browser?.close().catch(() => undefined);
    gateway?.kill("SIGTERM");
    http?.kill("SIGTERM");
    if (env !== undefined && !(failed() && process.env.VOXNIX_INSPECT === "1")) {
      const left = await voxnix(env, ["--as", ALICE, "--yes", "ctl", "destroy", "lab"], SLOW).catch(() => undefined);
      if (left && left.code !== 0 && left.code !== 3) console.error(left.stderr);
    }
    await env?.cleanup(failed());
  });

  step("the VM base image is there (built once, cached)", () => ensureVmImage(env));

  step("alice's and bob's keys are registered; alice creates a VM and is told the ssh line", async () => {
    for (const [user, key] of [
      [ALICE, "alice"],
      [BOB, "bob"],
    ] as const) {
      const added = await voxnix(env, ["users", "key", "add", user, path.join(keys, `${key}.pub`)]);
      assert.equal(added.code, 0, added.stderr);
    }
    const created = await voxnix(
      env,
      [
        "--as",
        ALICE,
        "ctl",
        "create",
        "lab",
        "--vm",
        "--cpu",
        "2",
        "--memory",
        "512M",
        "--disk",
        "3G",
        "--workspace-size",
        "128M",
      ],
      SLOW,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.ok(created.stdout.split("\n").includes(`Get in with: ssh -p ${sshPort} lab@127.0.0.1`), created.stdout);
  });

  step(
    "the gateway starts; ssh runs a command in the guest: its kernel, output and exit status come back",
    async () => {
      const started = await startCli(env, ["ssh-gateway"], (line) => line.includes('"ssh-ready"'));
      gateway = started.child;
      const ready = JSON.parse(started.line) as { hostKey: string };
      knownHosts = path.join(keys, "known_hosts");
      writeFileSync(knownHosts, `[127.0.0.1]:${sshPort} ${ready.hostKey}\n`);
      const kernel = await ssh("alice", ["uname", "-r"]);
      assert.equal(kernel.code, 0, kernel.stderr + started.log());
      assert.match(kernel.stdout, /cloud-amd64/, "the guest's Debian cloud kernel");
      assert.notEqual(kernel.stdout.trim(), release(), "not the host's kernel");
      const status = await ssh("alice", ["cat /etc/hostname; echo to-stderr >&2; exit 7"]);
      assert.equal(status.code, 7, status.stderr);
      assert.equal(status.stdout.trim(), "lab");
      assert.match(status.stderr, /to-stderr/);
    },
  );

  step("an interactive ssh terminal shows the guest's prompt and runs a command", async () => {
    const client = spawn("ssh", [...sshArgs("alice", ["-tt"]), "lab@127.0.0.1"], { stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    client.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => client.on("close", (code) => resolve(code)));
    assert.ok(await waitUntil(() => /root@lab[^\n]*# /.test(screen), 60_000), `no prompt: ${screen}`);
    client.stdin.write("stty size; echo result-$((6*7))\n");
    assert.ok(await waitUntil(() => screen.includes("result-42"), 60_000), screen);
    assert.match(screen, /^\d+ \d+\r?$/m, "a real terminal with a size");
    client.stdin.write("exit 4\n");
    assert.equal(await closed, 4, screen);
  });

  step("scp copies a file into the guest and sftp lists it", async () => {
    const file = path.join(keys, "upload.txt");
    writeFileSync(file, "uploaded by scp\n");
    const scp = await slowRun("scp", [
      "-P",
      String(sshPort),
      ...clientOptions("alice"),
      file,
      "lab@127.0.0.1:/workspace/upload.txt",
    ]);
    assert.equal(scp.code, 0, scp.stderr);
    assert.equal((await ssh("alice", ["cat /workspace/upload.txt"])).stdout, "uploaded by scp\n");
    const listing = await slowRun(
      "sftp",
      ["-P", String(sshPort), ...clientOptions("alice"), "-b", "-", "lab@127.0.0.1"],
      {
        input: "ls /workspace\n",
      },
    );
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, /upload\.txt/);
  });

  step("ssh -L reaches the guest's own ports, and not a port only the host listens on", async () => {
    // voxnix's own HTTP server listens on the host's 127.0.0.1; the VM's "localhost" is the guest's.
    ({ child: http, line: httpUrl } = await startCli(env, ["http"], (line) => line.includes('"http-ready"')));
    httpUrl = (JSON.parse(httpUrl) as { url: string }).url;
    assert.match(
      await firstBytes(httpPort, "GET /web/ HTTP/1.0\r\n\r\n", 10_000),
      /^HTTP\/1\.1 /,
      "the host's HTTP server answers on the host",
    );
    const [guestSsh, hostHttp] = [await freePort(), await freePort()];
    const forward = spawn(
      "ssh",
      [
        ...sshArgs("alice", ["-N", "-L", `${guestSsh}:localhost:22`, "-L", `${hostHttp}:localhost:${httpPort}`]),
        "lab@127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    try {
      let banner = "";
      for (let tries = 0; tries < 30 && !banner.startsWith("SSH-2.0-"); tries += 1) {
        // The client needs a moment to listen on its end; until then the connection is refused.
        banner = await firstBytes(guestSsh, "", 20_000);
        if (!banner.startsWith("SSH-2.0-")) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assert.match(banner, /^SSH-2\.0-/, "the guest's sshd greets through the forward");
      assert.match(banner, /OpenSSH.*Debian/);
      const leaked = await firstBytes(hostHttp, "GET / HTTP/1.0\r\n\r\n", 15_000);
      assert.doesNotMatch(leaked, /HTTP\//, "the host's own HTTP server must not be reachable through a VM's forward");
    } finally {
      forward.kill("SIGTERM");
    }
  });

  step("bob's key gets 'not found' for alice's VM", async () => {
    const theirs = await ssh("bob", ["uname -r"]);
    assert.equal(theirs.code, 3, theirs.stderr);
    assert.match(theirs.stderr, /You have no workload called "lab"/);
    assert.equal(theirs.stdout, "");
    const forward = await ssh("bob", [], { extra: ["-W", "localhost:22"] });
    assert.equal(forward.code, 255);
    assert.doesNotMatch(forward.stdout, /SSH-2\.0/);
  });

  step("the dashboard's browser terminal shows the guest's prompt and runs a command", async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const made = await voxnix(env, ["--as", ALICE, "--json", "web", "link"]);
    assert.equal(made.code, 0, made.stderr);
    const page: Page = await (await browser.newContext({ viewport: { width: 1000, height: 800 } })).newPage();
    await page.goto((JSON.parse(made.stdout) as { result: { url: string } }).result.url);
    await page.getByRole("button", { name: "Open my dashboard" }).click();
    await page.getByRole("heading", { name: "Your workloads" }).waitFor();
    await page.locator('[data-action="terminal-lab"]').click();
    await page.getByTestId("terminal-status").filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    const screen = () =>
      page.evaluate(
        () =>
          (
            globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
          ).document.querySelector(".xterm-rows")?.textContent ?? "",
      );
    let text = "";
    const seen = async (pattern: RegExp, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        text = await screen();
        if (pattern.test(text)) return true;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return false;
    };
    assert.ok(await seen(/root@lab/, 90_000), `no prompt on the screen: ${text}`);
    await page.getByTestId("terminal").click();
    await page.keyboard.type("uname -r | tr a-z A-Z\n");
    assert.ok(await seen(/CLOUD-AMD64/, 60_000), `the command's output: ${text}`);
  });
});
