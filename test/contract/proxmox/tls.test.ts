/**
 * Trust: the fake cluster has a self-signed certificate, like a fresh Proxmox node. Without a
 * pin the client refuses it; a wrong fingerprint is refused before any request (and so the
 * token) is sent; the right fingerprint or the certificate as CA file is accepted.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HostFailureError } from "../../../src/domain/errors.js";
import { createProxmoxHarness } from "./harness.js";

void describe("proxmox TLS trust", () => {
  void it("refuses a certificate whose fingerprint is not the pinned one, sending nothing", async () => {
    const h = await createProxmoxHarness();
    try {
      const wrong = h.fake.fingerprint.replace(/^../, h.fake.fingerprint.startsWith("AA") ? "BB" : "AA");
      const runtime = h.runtimeWith({ tls: { fingerprint: wrong } });
      const error = await runtime.list().catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /does not match proxmox\.tls\.fingerprint/);
      assert.equal(h.fake.requests.length, 0, "no request reached the server");
    } finally {
      await h.close();
    }
  });

  void it("refuses the self-signed certificate with the system trust store (verification stays on)", async () => {
    const h = await createProxmoxHarness();
    try {
      const runtime = h.runtimeWith({ tls: {} });
      const error = await runtime.list().catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /certificate is not trusted; set proxmox\.tls\.caFile/);
      assert.equal(h.fake.requests.length, 0);
    } finally {
      await h.close();
    }
  });

  void it("accepts the pinned CA file, and a fingerprint written in lower case without colons", async () => {
    const h = await createProxmoxHarness();
    try {
      const caFile = join(h.dir, "pve-root-ca.pem");
      writeFileSync(caFile, h.fake.certificatePem);
      assert.deepEqual(await h.runtimeWith({ tls: { caFile } }).list(), []);
      assert.deepEqual(
        await h.runtimeWith({ tls: { fingerprint: h.fake.fingerprint.replace(/:/g, "").toLowerCase() } }).list(),
        [],
      );
    } finally {
      await h.close();
    }
  });
});
