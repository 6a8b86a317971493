/**
 * The `http` configuration keys: defaults, strict nested keys, `listen` format, TLS both or neither.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configSchema } from "../../../src/app/config-schema.js";

void describe("http configuration", () => {
  void it("defaults to loopback 127.0.0.1:8710 without TLS", () => {
    const config = configSchema.parse({});
    assert.equal(config.http.listen, "127.0.0.1:8710");
    assert.equal(config.http.publicUrl, undefined);
    assert.deepEqual(config.http.tls, {});
  });

  void it("accepts host:port, [v6]:port, a public URL and a certificate with its key", () => {
    const config = configSchema.parse({
      http: {
        listen: "[::1]:9000",
        publicUrl: "https://vox.example.ts.net",
        tls: { certFile: "/etc/vx/cert.pem", keyFile: "/etc/vx/key.pem" },
      },
    });
    assert.equal(config.http.listen, "[::1]:9000");
    assert.equal(config.http.tls.certFile, "/etc/vx/cert.pem");
  });

  void it("refuses unknown nested keys, a bad listen value, a bad URL and half a TLS pair", () => {
    for (const http of [
      { lisen: "127.0.0.1:1" },
      { tls: { cert: "/x" } },
      { listen: "8710" },
      { listen: "127.0.0.1:99999" },
      { listen: "127.0.0.1:80; rm -rf /" },
      { publicUrl: "not a url" },
      { tls: { certFile: "/etc/vx/cert.pem" } },
    ]) {
      assert.equal(configSchema.safeParse({ http }).success, false, JSON.stringify(http));
    }
  });
});
