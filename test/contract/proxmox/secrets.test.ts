/**
 * The token secret never appears in what voxnix writes: every log record (debug included),
 * every error message, detail and stack, across success and each kind of failure — even when
 * the server echoes the secret back in an error.
 */
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { WorkloadName } from "../../../src/domain/names.js";
import { HostFailureError } from "../../../src/domain/errors.js";
import { createProxmoxHarness, vmSpec } from "./harness.js";

void describe("proxmox token secret", () => {
  void it("is in no log record and no error, whatever happens", async () => {
    const h = await createProxmoxHarness();
    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) => promise.catch((error: unknown) => void errors.push(error));
    try {
      const host = { ownerLabel: "telegram:42", onProgress: h.onProgress };
      await h.runtime.create(vmSpec("lab"), host);
      await h.runtime.doctor();
      h.fake.failNextTask("qmshutdown", "shutdown failed", ["some log line"]);
      await capture(h.runtime.stop("lab" as WorkloadName, host));
      // A server that echoes the secret (a broken proxy, a debug build) must not leak it through voxnix.
      h.fake.failNextRequest(
        /^\/cluster\/resources$/,
        500,
        `bad header PVEAPIToken=${h.fake.tokenId}=${h.fake.tokenSecret}`,
      );
      await capture(h.runtime.list());
      h.fake.forbidden.push(/.*/);
      await capture(h.runtime.create(vmSpec("web"), host));
      h.fake.forbidden.length = 0;
      await capture(h.runtimeWith({ tls: { fingerprint: "AA".repeat(32) } }).list());
      chmodSync(h.secretFile, 0o600);
      writeFileSync(h.secretFile, "wrong-secret");
      await capture(h.runtimeWith({}).list());
      await capture(
        h
          .runtimeWith({})
          .doctor()
          .then((checks) => Promise.reject(new Error(JSON.stringify(checks)))),
      );

      assert.ok(errors.length >= 5, `collected ${errors.length} errors`);
      const echoed = errors.find((error) => error instanceof HostFailureError && /bad header/.test(error.message));
      assert.ok(echoed, "the echoing server's error was seen");
      assert.ok(h.logger.records.length > 20, "there were log records to check");
      const written =
        JSON.stringify(h.logger.records) +
        errors
          .map((error) =>
            error instanceof Error
              ? `${error.message}\n${(error as HostFailureError).detail ?? ""}\n${error.stack ?? ""}`
              : String(error),
          )
          .join("\n");
      assert.ok(!written.includes(h.fake.tokenSecret), "the secret leaked");
    } finally {
      await h.close();
    }
  });
});
