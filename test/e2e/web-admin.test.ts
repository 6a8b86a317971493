/**
 * The dashboard buttons web.test.ts does not click, in real headless Chromium over real nspawn
 * containers and the built CLI's `voxnix http`: a workload's **Logs** (the dialog shows its
 * journal, a line written inside included) and the admin's **Deny**. Denying someone who has
 * the dashboard open, an API token and a running container: their page is told at once and
 * shows nothing more, their container is stopped (data kept), their cookie session and token
 * are refused on every call (403 `denied`), their terminal WebSocket is refused, a reload
 * shows only the refusal, and the audit log has the deny. Approving them again gives access
 * back.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import WebSocket from "ws";
import { createE2eEnv, storySteps, voxnix, type E2eEnv } from "./harness.js";
import { browserUnavailable, CHROMIUM, loginLink, signIn, startHttp } from "./web-harness.js";
import { freePort } from "../../src/host/free-port.js";

const skip = browserUnavailable();
const ALICE = "telegram:42";
const BOB = "telegram:43";
const MARKER = `voxnix-logs-marker-${process.pid}`;

/** The page's globals, as functions run inside the page see them (this file has no DOM types). */
interface PageGlobals {
  readonly document: { querySelector(selector: string): { readonly content?: string } | null };
}

describe("the dashboard's Logs and the admin's Deny in a real browser", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let server: ChildProcess | undefined;
  let url = "";
  let serverLog = (): string => "";
  let browser: Browser;
  let bobPage: Page;
  let bobToken = "";
  const { step, failed } = storySteps();

  before(async () => {
    env = await createE2eEnv({ extraConfig: { http: { listen: `127.0.0.1:${await freePort()}` } } });
    const started = await startHttp(env);
    ({ child: server, url } = started);
    serverLog = () => started.log();
    // Root cannot use Chromium's sandbox; the pages are our own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    await env?.cleanup(failed());
  });

  step(
    "alice and bob each have a running container (made with the built CLI); a line is written to alice's journal",
    async () => {
      for (const [user, name] of [
        [ALICE, "alicedev"],
        [BOB, "bobdev"],
      ] as const) {
        const created = await voxnix(env, ["--as", user, "ctl", "create", name], { timeoutMs: 10 * 60_000 });
        assert.equal(created.code, 0, created.stdout + created.stderr);
      }
      const logged = await voxnix(env, [
        "--as",
        ALICE,
        "ctl",
        "exec",
        "alicedev",
        "--",
        "logger",
        "-t",
        "webtest",
        MARKER,
      ]);
      assert.equal(logged.code, 0, logged.stderr);
    },
  );

  step(
    "Logs opens a dialog with the container's journal, the line written inside included; Close closes it",
    async () => {
      const page = await (await browser.newContext()).newPage();
      await signIn(page, await loginLink(env, ALICE));
      // The journal is flushed to disk a moment after the write; the button reads it each time.
      const dialog = page.getByTestId("dialog");
      let text = "";
      for (let attempt = 0; attempt < 20 && !text.includes(MARKER); attempt += 1) {
        if (attempt > 0) {
          await dialog.getByRole("button", { name: "Close" }).click();
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        await page.locator('[data-action="logs-alicedev"]').click();
        await dialog.getByText("Logs of alicedev").waitFor();
        text = (await page.getByTestId("logs").textContent()) ?? "";
      }
      assert.match(text, new RegExp(`^\\d\\d:\\d\\d:\\d\\d .*${MARKER}$`, "m"), `the marker with its time:\n${text}`);
      assert.match(text, /systemd|Started|Reached target/, "the boot's own lines are there too");
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.context().close();
    },
  );

  step("bob has the dashboard open and an API token that works", async () => {
    bobPage = await (await browser.newContext()).newPage();
    await signIn(bobPage, await loginLink(env, BOB));
    await bobPage.getByTestId("state-bobdev").filter({ hasText: "running" }).waitFor();
    const made = await voxnix(env, ["--json", "users", "token", "create", BOB]);
    assert.equal(made.code, 0, made.stderr);
    bobToken = (JSON.parse(made.stdout) as { result: { token: string } }).result.token;
    const answer = await fetch(`${url}/api/v1/workloads`, { headers: { authorization: `Bearer ${bobToken}` } });
    assert.equal(answer.status, 200);
    assert.deepEqual(
      ((await answer.json()) as { result: { workloads: { name: string }[] } }).result.workloads.map(
        (workload) => workload.name,
      ),
      ["bobdev"],
    );
  });

  step(
    "the admin clicks Deny on bob: bob's page is told at once, his container stops, his session and token are refused",
    async () => {
      const admin = await (await browser.newContext()).newPage();
      await signIn(admin, await loginLink(env, "local:admin"), "All workloads");
      await admin.locator(`[data-action="deny-${BOB}"]`).click();
      await admin
        .getByTestId("notice")
        .filter({ hasText: `${BOB}: denied.` })
        .waitFor();
      assert.equal(await admin.locator(`[data-user="${BOB}"] .badge`).textContent(), "denied");
      assert.equal(await admin.locator(`[data-action="deny-${BOB}"]`).count(), 0, "no Deny button for someone denied");

      // The open page, without a reload: the live stream says access ended.
      await bobPage
        .getByTestId("notice")
        .filter({ hasText: "An administrator has turned off your access." })
        .waitFor({ timeout: 60_000 });
      assert.equal(await bobPage.getByTestId("workloads").isVisible(), false, "nothing of the list is left on screen");
      assert.notEqual((await env.backend().show("bobdev" as never))?.state, "running", "his container was stopped");
      assert.equal((await env.backend().show("alicedev" as never))?.state, "running", "nobody else's");

      const fromPage = await bobPage.evaluate(async () => {
        const csrf =
          (globalThis as unknown as PageGlobals).document.querySelector('meta[name="csrf-token"]')?.content ?? "";
        const list = await fetch("/api/v1/workloads");
        const start = await fetch("/api/v1/workloads/bobdev/start", {
          method: "POST",
          headers: { "x-csrf-token": csrf },
        });
        return {
          list: list.status,
          start: start.status,
          kind: ((await start.json()) as { error: { kind: string; reason?: string } }).error,
        };
      });
      assert.equal(fromPage.list, 403);
      assert.equal(fromPage.start, 403);
      assert.equal(fromPage.kind.kind, "forbidden");
      assert.notEqual(
        (await env.backend().show("bobdev" as never))?.state,
        "running",
        "the refused start changed nothing",
      );

      const withToken = await fetch(`${url}/api/v1/workloads`, { headers: { authorization: `Bearer ${bobToken}` } });
      assert.equal(withToken.status, 403);
      assert.match(
        ((await withToken.json()) as { error: { message: string } }).error.message,
        /turned off your access/,
      );

      const cookie = (await bobPage.context().cookies()).find((candidate) => candidate.name === "voxnix_session")!;
      const terminal = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`${url.replace("http", "ws")}/web/terminal/bobdev`, {
          headers: { cookie: `voxnix_session=${cookie.value}`, origin: url },
        });
        socket.once("open", () => resolve(101));
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("error", () => resolve(-1));
      });
      assert.notEqual(terminal, 101, "no terminal for a denied user");

      await bobPage.reload();
      await bobPage.getByTestId("notice").filter({ hasText: "turned off your access" }).waitFor();
      assert.equal(
        await bobPage.getByRole("heading", { name: "Your workloads" }).count(),
        0,
        `after a reload only the refusal shows\n${serverLog().slice(-2000)}`,
      );

      const audit = await admin.evaluate(
        async () =>
          (await (await fetch("/api/v1/audit?operation=denyUser")).json()) as {
            result: { entries: { actor: string; args: unknown; outcome: string }[] };
          },
      );
      assert.deepEqual(
        audit.result.entries.map((entry) => [entry.actor, entry.args, entry.outcome]),
        [["local:admin", { userId: BOB }, "ok"]],
        "the deny is in the audit log, by the admin",
      );
      await admin.context().close();
    },
  );

  step("approving bob again gives his session and token back", async () => {
    const approved = await voxnix(env, ["users", "approve", BOB]);
    assert.equal(approved.code, 0, approved.stderr);
    const withToken = await fetch(`${url}/api/v1/workloads`, { headers: { authorization: `Bearer ${bobToken}` } });
    assert.equal(withToken.status, 200);
    await bobPage.reload();
    await bobPage.getByRole("heading", { name: "Your workloads" }).waitFor();
    await bobPage.getByTestId("state-bobdev").waitFor();
  });
});
