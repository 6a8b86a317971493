/**
 * HTTPS: with `http.tls.certFile`/`keyFile` the server speaks TLS (a throw-away self-signed
 * certificate made with openssl; skipped when openssl is missing).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startHttpServer } from "../../../src/adapters/http/server.js";
import { createHttpHarness } from "../../fakes/http-harness.js";

const OPENSSL = ["/usr/bin/openssl", "/bin/openssl"].find((path) => existsSync(path));

function get(url: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

void describe("startHttpServer with TLS", () => {
  void it(
    "serves HTTPS with the configured certificate and key",
    { skip: OPENSSL ? false : "no openssl" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-tls-"));
      const certFile = join(dir, "cert.pem");
      const keyFile = join(dir, "key.pem");
      execFileSync(
        OPENSSL!,
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-keyout",
          keyFile,
          "-out",
          certFile,
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
        ],
        { stdio: "ignore" },
      );
      const h = await createHttpHarness();
      const server = await startHttpServer(h.app, { listen: "127.0.0.1:0", tls: { certFile, keyFile } });
      try {
        assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const answer = await get(`${server.url}/api/v1/whoami`, readFileSync(certFile), h.tokens.owner);
        assert.equal(answer.status, 200);
        assert.equal((JSON.parse(answer.body) as { result: { id: string } }).result.id, "telegram:42");
      } finally {
        await server.close(1000);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
