/**
 * The outbound VM firewall on the real kernel (root, iptables): a process running as the
 * filtered user (standing in for QEMU with `vm.runAs`, which is how slirp's connections
 * leave the host) cannot open a connection to a service on 127.0.0.1, to another of the
 * host's own addresses or into the containers' subnet, while DNS on the host stays open and
 * a service that user listens on (QEMU's forwarded SSH port) still answers the host. Other
 * users are not affected. Installing twice adds nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { createCommandRunner } from "../../src/host/command-runner.js";
import {
  OUTBOUND_CHAIN,
  ensureOutboundFilter,
  outboundJump,
  outboundRules,
} from "../../src/runtimes/qemu/outbound-filter.js";

const USER = `vxout${process.pid % 100000}`;
const SUBNET = "10.231.0.0/24";
const tool = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const skip =
  process.getuid?.() !== 0
    ? "needs root"
    : !tool("iptables") || !tool("setpriv") || !existsSync("/usr/bin/python3")
      ? "needs iptables, setpriv and /usr/bin/python3"
      : undefined;

/** Tries a TCP connection as `user` (null: as root) with bash's /dev/tcp; true when it connected. */
function connectsAs(user: string | null, host: string, port: number): boolean {
  const probe = `exec 3<>/dev/tcp/${host}/${port}`;
  const argv =
    user === null
      ? ["timeout", "5", "bash", "-c", probe]
      : ["timeout", "5", "setpriv", `--reuid=${user}`, `--regid=${user}`, "--clear-groups", "bash", "-c", probe];
  return spawnSync(argv[0]!, argv.slice(1)).status === 0;
}

function listen(host: string): Promise<Server & { port: number }> {
  const server = createServer((socket) => socket.end("hello\n"));
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port }))),
  );
}

/** Listens on a free loopback port, prints it, and sends one banner to the first client. */
const LISTENER =
  "import socket;s=socket.socket();s.bind(('127.0.0.1',0));s.listen();print(s.getsockname()[1],flush=True);c,_=s.accept();c.sendall(b'banner\\n');c.close()";

function rulesOf(chain: string): string[] {
  return String(spawnSync("iptables", ["-w", "-S", chain]).stdout)
    .trim()
    .split("\n");
}

describe("the outbound VM firewall on the real kernel", { skip, timeout: 120_000 }, () => {
  const runner = createCommandRunner();
  const servers: Server[] = [];
  let loopback: Server & { port: number };

  before(async () => {
    assert.equal(
      spawnSync("useradd", [
        "--system",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        USER,
      ]).status,
      0,
    );
    loopback = await listen("127.0.0.1");
    servers.push(loopback);
  });
  after(() => {
    for (const server of servers) server.close();
    spawnSync("iptables", ["-w", "-D", "OUTPUT", ...outboundJump(USER)]);
    spawnSync("userdel", [USER]);
  });

  it("before the filter, the user reaches a host service on 127.0.0.1 (the gap it closes)", () => {
    assert.equal(connectsAs(USER, "127.0.0.1", loopback.port), true);
  });

  it("after it, the user reaches no host service, on loopback or on the host's other addresses; root still does", async () => {
    await ensureOutboundFilter(runner, USER, [SUBNET]);
    assert.equal(connectsAs(USER, "127.0.0.1", loopback.port), false);
    assert.equal(connectsAs(null, "127.0.0.1", loopback.port), true, "other users are not affected");
    const own = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === "IPv4" && !address.internal)?.address;
    if (own !== undefined) {
      const everywhere = await listen("0.0.0.0");
      servers.push(everywhere);
      assert.equal(connectsAs(null, own, everywhere.port), true);
      assert.equal(connectsAs(USER, own, everywhere.port), false, `the host's own address ${own}`);
    }
  });

  it("a service the user listens on (QEMU's forwarded SSH port) still answers the host", async () => {
    // The listener runs as the filtered user; its replies belong to a connection root opened.
    const server = spawn("setpriv", [
      `--reuid=${USER}`,
      `--regid=${USER}`,
      "--clear-groups",
      "/usr/bin/python3",
      "-c",
      LISTENER,
    ]);
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      server.once("error", reject);
      server.once("exit", (code) => reject(new Error(`the listener exited with ${code}`)));
    });
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      setTimeout(() => reject(new Error("no banner within 10 s")), 10_000).unref();
    });
    server.kill();
    assert.equal(banner, "banner\n");
  });

  it("DNS on the host stays open; the containers' subnet and link-local addresses are refused", () => {
    const rules = rulesOf(OUTBOUND_CHAIN).join("\n");
    assert.match(rules, /-o lo -p udp -m udp --dport 53 -j RETURN/);
    assert.match(rules, new RegExp(`-d ${SUBNET.replace(/[./]/g, "\\$&")} -j REJECT`));
    assert.match(rules, /-d 169\.254\.0\.0\/16 -j REJECT/);
  });

  it("installing again adds nothing", async () => {
    const before = [...rulesOf(OUTBOUND_CHAIN), ...rulesOf("OUTPUT")];
    await ensureOutboundFilter(runner, USER, [SUBNET]);
    assert.deepEqual([...rulesOf(OUTBOUND_CHAIN), ...rulesOf("OUTPUT")], before);
    assert.equal(rulesOf(OUTBOUND_CHAIN).length, outboundRules([SUBNET]).length + 1, "-N plus the rules");
  });
});
