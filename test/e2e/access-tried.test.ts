/**
 * Issue 10's "what will be tried", as written, through the built CLI over a real nspawn
 * container: `voxnix serve` with `http.listen` and `ssh.listen` on loopback ports (no Telegram
 * token, so it runs the API, the dashboard and the gateway); `voxnix web link --as
 * telegram:42` gives a link that logs in once and fails the second time; `curl` without a
 * token gets 401 and with another user's token sees none of telegram:42's workloads; `ssh -p
 * PORT NAME@127.0.0.1` with telegram:42's key reaches NAME and with telegram:43's key is
 * refused. Real curl, real OpenSSH.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { after, before, describe } from "node:test";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv, runProgram } from "./harness.js";

const skip =
  e2eUnavailable() ??
  (existsSync("/usr/bin/ssh") && existsSync("/usr/bin/curl") ? undefined : "needs openssh-client and curl");
const NAME = "tried";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe(
  "issue 10, what will be tried: voxnix serve, a login link, curl and ssh",
  { skip, timeout: 15 * 60_000 },
  () => {
    let env: E2eEnv;
    let serve: ChildProcess | undefined;
    let output = "";
    let httpPort = 0;
    let sshPort = 0;
    let keys = "";
    const { step, failed } = storySteps();
    const base = () => `http://127.0.0.1:${httpPort}`;
    const ssh = (key: string, command: readonly string[]) =>
      runProgram("ssh", [
        "-p",
        String(sshPort),
        "-i",
        path.join(keys, key),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${path.join(keys, "known_hosts")}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-F",
        "/dev/null",
        `${NAME}@127.0.0.1`,
        ...command,
      ]);

    before(async () => {
      httpPort = await freePort();
      sshPort = await freePort();
      env = await createE2eEnv({
        extraConfig: {
          http: { listen: `127.0.0.1:${httpPort}` },
          ssh: { enabled: true, listen: `127.0.0.1:${sshPort}` },
        },
      });
      keys = mkdtempSync(path.join(env.root, "keys-"));
      for (const name of ["u42", "u43"]) {
        const made = await runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(keys, name)]);
        assert.equal(made.code, 0, made.stderr);
      }
    });
    after(async () => {
      serve?.kill("SIGTERM");
      await env?.cleanup(failed());
    });

    step("telegram:42 has a container and a key; telegram:43 has a key", async () => {
      const created = await voxnix(env, ["--as", "telegram:42", "ctl", "create", NAME, "--module", "git"]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      for (const [user, key] of [
        ["telegram:42", "u42"],
        ["telegram:43", "u43"],
      ] as const) {
        const added = await voxnix(env, ["users", "key", "add", user, path.join(keys, `${key}.pub`)]);
        assert.equal(added.code, 0, added.stdout + added.stderr);
      }
    });

    step("voxnix serve runs the API with the dashboard and the SSH gateway on the loopback ports", async () => {
      serve = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "serve"], {
        env: env.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      serve.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      serve.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const line = (event: string) =>
        output.split("\n").find((candidate) => candidate.startsWith(`{"event":"${event}"`));
      assert.ok(
        await waitUntil(() => line("ssh-ready") !== undefined && line("http-ready") !== undefined, 60_000),
        `serve did not get ready: ${output}`,
      );
      const ssh = JSON.parse(line("ssh-ready")!) as { port: number; hostKey: string };
      assert.equal(ssh.port, sshPort);
      assert.equal((JSON.parse(line("http-ready")!) as { url: string }).url, base());
      writeFileSync(path.join(keys, "known_hosts"), `[127.0.0.1]:${sshPort} ${ssh.hostKey}\n`);
    });

    step("voxnix web link --as telegram:42 logs in once and fails the second time", async () => {
      const made = await voxnix(env, ["web", "link", "--as", "telegram:42"]);
      assert.equal(made.code, 0, made.stderr);
      const link = made.stdout.split("\n")[0]!;
      assert.ok(link.startsWith(`${base()}/web/login/vxl_`), made.stdout);
      // Opening the link shows a button; its POST spends the link (what the browser does).
      const page = await runProgram("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", link]);
      assert.equal(page.stdout, "200");
      const first = await runProgram("curl", [
        "-s",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "-X",
        "POST",
        "-H",
        `Origin: ${base()}`,
        link,
      ]);
      assert.match(first.stdout, /^HTTP\/1\.1 303/);
      const cookie = /set-cookie: (voxnix_session=[^;]+)/i.exec(first.stdout)?.[1];
      assert.ok(cookie, first.stdout);
      const whoami = await runProgram("curl", ["-s", "-H", `Cookie: ${cookie}`, `${base()}/api/v1/whoami`]);
      assert.equal((JSON.parse(whoami.stdout) as { result: { id: string } }).result.id, "telegram:42");
      const second = await runProgram("curl", [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-X",
        "POST",
        "-H",
        `Origin: ${base()}`,
        link,
      ]);
      assert.equal(second.stdout, "410", "the second use fails");
    });

    step("curl without a token gets 401; with another user's token sees no workloads of telegram:42", async () => {
      const anonymous = await runProgram("curl", ["-s", "-w", "\n%{http_code}", `${base()}/api/v1/workloads`]);
      assert.equal(anonymous.stdout.split("\n").pop(), "401");
      assert.equal(
        (JSON.parse(anonymous.stdout.split("\n")[0]!) as { error: { kind: string } }).error.kind,
        "unauthorized",
      );
      const token = async (user: string) => {
        const made = await voxnix(env, ["--json", "users", "token", "create", user]);
        assert.equal(made.code, 0, made.stderr);
        return (JSON.parse(made.stdout) as { result: { token: string } }).result.token;
      };
      const list = async (bearer: string) =>
        JSON.parse(
          (await runProgram("curl", ["-s", "-H", `Authorization: Bearer ${bearer}`, `${base()}/api/v1/workloads`]))
            .stdout,
        ) as { result: { workloads: { name: string }[] } };
      assert.deepEqual((await list(await token("telegram:43"))).result.workloads, []);
      const show = await runProgram("curl", [
        "-s",
        "-w",
        "\n%{http_code}",
        "-H",
        `Authorization: Bearer ${await token("telegram:43")}`,
        `${base()}/api/v1/workloads/${NAME}`,
      ]);
      assert.equal(show.stdout.split("\n").pop(), "404", "not yours is not found");
      assert.deepEqual(
        (await list(await token("telegram:42"))).result.workloads.map((workload) => workload.name),
        [NAME],
      );
    });

    step(
      "ssh -p PORT NAME@127.0.0.1 with telegram:42's key reaches NAME; with telegram:43's key it is refused",
      async () => {
        const reached = await ssh("u42", ["cat", "/etc/hostname"]);
        assert.equal(reached.code, 0, reached.stderr);
        assert.equal(reached.stdout.trim(), NAME);
        const refused = await ssh("u43", ["cat", "/etc/hostname"]);
        assert.equal(refused.code, 3, refused.stderr);
        assert.match(refused.stderr, new RegExp(`You have no workload called "${NAME}"`));
        assert.equal(refused.stdout, "");
      },
    );

    step("voxnix serve stops on SIGTERM with exit 0", async () => {
      const exited = new Promise<number | null>((resolve) => serve!.once("exit", (code) => resolve(code)));
      serve!.kill("SIGTERM");
      assert.equal(await exited, 0, output);
      serve = undefined;
    });
  },
);
