/**
 * The BUILT CLI (`node bin/voxnix.js` on `dist/` after `npm run build`) creates, lists and
 * revokes API tokens over a temporary state directory; the `dir` storage driver and a fresh
 * database mean no host command runs. `voxnix http` ends an open live stream cleanly when it
 * stops, and `voxnix chat --dashboard` (what `npm run up` starts) serves the dashboard while
 * the chat runs and greets with a login link that signs in. Skipped when `dist/` is missing.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../bin/voxnix.js", import.meta.url));
const BUNDLE = fileURLToPath(new URL("../../../dist/bundle/cli/main.js", import.meta.url));

function voxnix(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

void describe("built CLI: voxnix users token", () => {
  void it(
    "create prints a vx_ token once, list hides it, revoke revokes it",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-http-cli-"));
      const env = {
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: join(dir, "state"),
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_LOG_LEVEL: "silent",
        VOXNIX_CONFIG: "",
      };
      try {
        const created = await voxnix(["users", "token", "create", "web:alice", "--json"], env);
        assert.equal(created.code, 0, created.stderr);
        const { result } = JSON.parse(created.stdout) as { result: { id: string; token: string; userId: string } };
        assert.match(result.token, /^vx_[A-Za-z0-9_-]{43}$/);
        assert.equal(result.userId, "web:alice");
        const listed = await voxnix(["users", "token", "list", "--json"], env);
        assert.equal(listed.code, 0, listed.stderr);
        assert.ok(listed.stdout.includes(result.id));
        assert.ok(!listed.stdout.includes(result.token));
        const revoked = await voxnix(["users", "token", "revoke", result.id, "--json"], env);
        assert.equal(revoked.code, 0, revoked.stderr);
        assert.ok((JSON.parse(revoked.stdout) as { result: { revokedAt?: string } }).result.revokedAt);
        const bad = await voxnix(["users", "token", "revoke", "nonsense", "--json"], env);
        assert.equal(bad.code, 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  void it(
    "voxnix http logs one ready line with the URL, serves the API, and exits 0 on SIGTERM",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-http-serve-"));
      const env = {
        ...process.env,
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: join(dir, "state"),
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_LOG_LEVEL: "silent",
        VOXNIX_CONFIG: "",
        VOXNIX_HTTP_LISTEN: "127.0.0.1:0",
      };
      const child = spawn(process.execPath, [BIN, "http"], { env, stdio: ["ignore", "pipe", "pipe"] });
      try {
        const ready = await new Promise<{ event: string; url: string }>((resolve, reject) => {
          let buffered = "";
          child.stdout.on("data", (chunk: Buffer) => {
            buffered += chunk.toString();
            const line = buffered.split("\n")[0];
            if (buffered.includes("\n") && line) resolve(JSON.parse(line) as { event: string; url: string });
          });
          child.once("exit", (code) => reject(new Error(`voxnix http exited ${code} before it was ready`)));
        });
        assert.equal(ready.event, "http-ready");
        assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const document = await fetch(`${ready.url}/api/v1/openapi.json`);
        assert.equal(document.status, 200);
        assert.equal((await fetch(`${ready.url}/api/v1/workloads`)).status, 401);
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        assert.equal(await exited, 0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  void it(
    "voxnix http on a port in use, or with an unreadable certificate, is a configuration error (exit 2)",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-http-busy-"));
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const { port } = blocker.address() as AddressInfo;
      const env = {
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: join(dir, "state"),
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_LOG_LEVEL: "silent",
        VOXNIX_CONFIG: "",
      };
      try {
        const busy = await voxnix(["http"], { ...env, VOXNIX_HTTP_LISTEN: `127.0.0.1:${port}` });
        assert.equal(busy.code, 2, busy.stderr);
        assert.match(busy.stderr, /http\.listen/);
        assert.match(busy.stderr, /already in use/);
        const missing = await voxnix(["http"], {
          ...env,
          VOXNIX_HTTP_LISTEN: "127.0.0.1:0",
          VOXNIX_HTTP_TLS_CERT_FILE: join(dir, "nope.pem"),
          VOXNIX_HTTP_TLS_KEY_FILE: join(dir, "nope.key"),
        });
        assert.equal(missing.code, 2, missing.stderr);
        assert.match(missing.stderr, /http\.tls/);
      } finally {
        blocker.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  void it(
    "voxnix http ends an open live stream cleanly on SIGTERM (not cut after the grace period) and exits 0",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-http-sse-"));
      const env = {
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: join(dir, "state"),
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_LOG_LEVEL: "silent",
        VOXNIX_CONFIG: "",
        VOXNIX_HTTP_LISTEN: "127.0.0.1:0",
      };
      const made = await voxnix(["users", "token", "create", "local:admin", "--json"], env);
      assert.equal(made.code, 0, made.stderr);
      const { token } = (JSON.parse(made.stdout) as { result: { token: string } }).result;
      const child = spawn(process.execPath, [BIN, "http"], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let buffered = "";
          child.stdout.on("data", (chunk: Buffer) => {
            buffered += chunk.toString();
            if (buffered.includes("\n")) resolve((JSON.parse(buffered.split("\n")[0]!) as { url: string }).url);
          });
          child.once("exit", (code) => reject(new Error(`voxnix http exited ${code} before it was ready`)));
        });
        const response = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(response.status, 200);
        const reader = response.body!.getReader();
        let text = "";
        while (!text.includes("event: workloads")) {
          const chunk = await reader.read();
          assert.equal(chunk.done, false, "the stream sends the list first");
          text += new TextDecoder().decode(chunk.value);
        }
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        // The stream ends as a finished response: the reader reaches its end instead of failing with a cut connection.
        let ending: { done: boolean } | Error;
        do ending = await reader.read().catch((error: Error) => error);
        while (!(ending instanceof Error) && !ending.done);
        assert.ok(!(ending instanceof Error), `the stream was cut: ${ending instanceof Error ? ending.message : ""}`);
        assert.equal(await exited, 0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  void it(
    "voxnix chat --dashboard serves the dashboard while the chat runs and greets with a login link that signs in",
    { skip: existsSync(BUNDLE) ? false : "no dist/bundle (run npm run build)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-chat-dashboard-"));
      const port = await new Promise<number>((resolve) => {
        const probe = createServer();
        probe.listen(0, "127.0.0.1", () => {
          const { port: free } = probe.address() as AddressInfo;
          probe.close(() => resolve(free));
        });
      });
      const env = {
        VOXNIX_ENTRY: "bundle",
        VOXNIX_STATE_DIR: join(dir, "state"),
        VOXNIX_BACKEND: "nspawn",
        VOXNIX_STORAGE_DRIVER: "dir",
        VOXNIX_LOG_LEVEL: "silent",
        VOXNIX_CONFIG: "",
        VOXNIX_HTTP_LISTEN: `127.0.0.1:${port}`,
      };
      const child = spawn(process.execPath, [BIN, "chat", "--dashboard"], {
        env: { ...process.env, ...env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      try {
        let stdout = "";
        const greeted = new Promise<string>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            if (stdout.includes("you › ")) resolve(stdout);
          });
          child.once("exit", (code) => reject(new Error(`voxnix chat exited ${code}: ${stdout}`)));
        });
        const greeting = await greeted;
        // The page's address, and that it opens on this machine only (loopback, no http.publicUrl), with the way in from elsewhere.
        assert.ok(
          greeting.includes(
            `The dashboard is at http://127.0.0.1:${port}/web/ (on this machine only: http.listen is 127.0.0.1:${port}).\n`,
          ),
          greeting,
        );
        assert.ok(
          greeting.includes(
            `From another computer: ssh -L ${port}:localhost:${port} ${hostname()}, then open the same address there; to share it, set http.publicUrl (docs/web.md).\n`,
          ),
          greeting,
        );
        const link = /Sign in with: (\S+) \(for local:admin; works once/.exec(greeting)?.[1];
        assert.ok(link?.startsWith(`http://127.0.0.1:${port}/web/login/vxl_`), greeting);
        // The link opens the sign-in page on the server the chat started.
        const page = await fetch(link!);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /Open my dashboard/);
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.stdin.end("exit\n");
        assert.equal(await exited, 0);
        // The server ended with the chat.
        await assert.rejects(fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`));

        // With the address already served (voxnix serve), the chat points there and still runs.
        const blocker = createServer();
        await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
        try {
          const second = spawn(process.execPath, [BIN, "chat", "--dashboard"], {
            env: { ...process.env, ...env },
            stdio: ["pipe", "pipe", "pipe"],
          });
          let output = "";
          second.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
          const code = new Promise<number | null>((resolve) => second.once("exit", (exitCode) => resolve(exitCode)));
          second.stdin.end("exit\n");
          assert.equal(await code, 0, output);
          assert.ok(output.includes(`The dashboard is already served at http://127.0.0.1:${port}/web/`), output);
        } finally {
          blocker.close();
        }
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
