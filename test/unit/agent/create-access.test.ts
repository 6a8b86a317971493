/**
 * The reply after a create says how to get in: the exact `ssh` line of the SSH gateway (from
 * `ssh.*`) and the dashboard (from `http.publicUrl`), in the chat's words (`voxnix say`/`chat`),
 * Telegram's final progress message and the CLI's `ctl create`; nothing about either when
 * they are not configured.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeJobResult } from "../../../src/agent/job-outcome.js";
import { resultHtml } from "../../../src/adapters/telegram/format.js";
import { accessLines, accessPointsFrom } from "../../../src/domain/ssh-access.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "../core/helpers.js";

void describe("how to get in, after a create", () => {
  void it("reads the gateway and the dashboard from the configuration", () => {
    assert.deepEqual(
      accessPointsFrom({
        ssh: { enabled: true, listen: "0.0.0.0:2222", publicHost: "box.lan" },
        http: { publicUrl: "https://vox.example/" },
      }),
      {
        ssh: { host: "box.lan", port: 2222 },
        dashboardUrl: "https://vox.example/web/",
      },
    );
    assert.deepEqual(accessPointsFrom({ ssh: { enabled: false, listen: "0.0.0.0:2222" }, http: {} }), {});
    // Served by `voxnix serve` without a public URL: the listen address (a wildcard is loopback).
    assert.deepEqual(accessPointsFrom({ http: { listen: "0.0.0.0:8710" }, serve: { http: true } }), {
      dashboardUrl: "http://127.0.0.1:8710/web/",
    });
    assert.deepEqual(accessPointsFrom({ http: { listen: "127.0.0.1:8710" }, serve: { http: false } }), {});
    assert.deepEqual(accessLines("dev", { ssh: { host: "box.lan", port: 22 } }, "hint"), [
      "Get in with: ssh dev@box.lan",
    ]);
  });

  void it("the chat's reply names the ssh line and the dashboard; without them it is unchanged", async () => {
    const t = createTestCore();
    const workload = await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    const text = describeJobResult(
      { kind: "create", value: workload },
      { ssh: { host: "box.lan", port: 2222 }, dashboardUrl: "https://vox.example/web/" },
    );
    assert.match(
      text,
      /^dev is ready at 10\.231\.0\.\d+\.\nGet in with: ssh -p 2222 dev@box\.lan\nDashboard \(with a browser terminal\): https:\/\/vox\.example\/web\/ \(.*\/web in Telegram/,
    );
    assert.equal(describeJobResult({ kind: "create", value: workload }), `dev is ready at ${workload.addresses[0]}.`);
  });

  void it("Telegram's final message gives the ssh line in code and points to /web", async () => {
    const t = createTestCore();
    const workload = await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    const html = resultHtml(
      { kind: "create", value: workload },
      { ssh: { host: "box.lan", port: 2222 }, dashboard: true },
    );
    assert.match(html, /Get in: <code>ssh -p 2222 dev@box\.lan<\/code>/);
    assert.match(html, /send \/web for a login link/);
    assert.doesNotMatch(resultHtml({ kind: "create", value: workload }), /Get in|\/web/);
  });
});
