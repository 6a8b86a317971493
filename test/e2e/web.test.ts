/**
 * The dashboard as a person uses it: real headless Chromium (Debian's `chromium`, driven by
 * `playwright-core`; it cannot download a browser) against the built CLI's `voxnix http` over
 * real nspawn containers. The admin makes a login link with `voxnix web link`, the browser
 * opens it, sees the (empty) list, creates a container from the module picker, opens the
 * terminal and runs `git --version` in it, destroys it with the confirm step and restores it.
 * Another user's browser sees none of it and gets "not found" for it (API and terminal), a
 * used link fails the second time, and a WebSocket from a foreign Origin is refused. The
 * terminal survives a dropped connection (a TCP proxy between browser and server cuts every
 * connection): the page reconnects by itself to the same shell, so `export X=1` before the
 * drop is still set after it; a reload of the page reopens the terminal on the same shell,
 * with its recent output. The admin's browser sees every workload with its owner, the
 * users (approves a pending one, changes limits) and the audit log with filters; a
 * non-admin's request for the audit log is refused. A person registers an SSH key in the
 * dashboard's key card; the same key from another person is refused; removing it works.
 * With VOXNIX_SCREENSHOTS=1, screenshots of the main pages are written to docs/ (off by
 * default: a test run must not change committed files).
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTcp, createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { after, before, describe } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import WebSocket from "ws";
import { createE2eEnv, storySteps, type E2eEnv } from "./harness.js";
import {
  CHROMIUM,
  browserUnavailable,
  loginLink,
  pageReport,
  signIn,
  startHttp,
  waitForJobDone,
  type HttpServer,
} from "./web-harness.js";
import { freePort } from "../../src/host/free-port.js";

const skip = browserUnavailable();
const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));
const SCREENSHOTS = process.env.VOXNIX_SCREENSHOTS === "1";
const NAME = "webdev";

/** The page's globals, as the functions run inside the page see them (this file has no DOM types). */
interface PageGlobals {
  readonly document: {
    querySelector(selector: string): { readonly textContent: string | null; readonly content?: string } | null;
  };
  readonly location: { readonly host: string };
  readonly WebSocket: new (url: string) => { onopen: () => void; onerror: () => void };
}

/** A TCP proxy in front of the server whose connections the test can cut, as a network drop would. */
async function startProxy(target: string): Promise<{ url: string; dropAll: () => void; close: () => void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connectTcp(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: proxyPort } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    dropAll: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** The text on the terminal's screen. */
async function screenText(page: Page): Promise<string> {
  return page.evaluate(
    () => (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
  );
}

describe("the web dashboard in a real browser over real containers", { skip, timeout: 25 * 60_000 }, () => {
  let env: E2eEnv;
  let server: HttpServer | undefined;
  let url = "";
  let browser: Browser;
  let owner: Page;
  const { step, failed } = storySteps();

  before(async () => {
    env = await createE2eEnv({ extraConfig: { http: { listen: `127.0.0.1:${await freePort()}` } } });
    server = await startHttp(env);
    url = server.url;
    // Root cannot use Chromium's sandbox; the pages are our own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await env?.cleanup(failed());
  });

  step("the admin's link from the built CLI signs the browser in once; the list is empty", async () => {
    const link = await loginLink(env, "telegram:42");
    assert.ok(link.startsWith(`${url}/web/login/vxl_`), link);
    // A phone-sized window: the dashboard must be readable there.
    const context = await browser.newContext({ viewport: { width: 412, height: 915 }, deviceScaleFactor: 1 });
    owner = await context.newPage();
    await signIn(owner, link);
    await owner.getByText("No workloads yet").waitFor();
    const cookie = (await context.cookies()).find((candidate) => candidate.name === "voxnix_session");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");

    // The same link a second time, in another browser: refused, nobody signed in.
    const other = await (await browser.newContext()).newPage();
    await other.goto(link);
    await other.getByText("This login link no longer works").waitFor();
  });

  step("creates a container from the module picker and sees it running (live, without reloading)", async () => {
    await owner.getByTestId("create-name").fill(NAME);
    await owner.locator('input[data-module="git"]').check();
    await owner.getByTestId("create-submit").click();
    await owner
      .getByTestId(`state-${NAME}`)
      .filter({ hasText: "running" })
      .waitFor({ timeout: 5 * 60_000 });
    await waitForJobDone(owner, server!, "create", NAME, 60_000);
    if (SCREENSHOTS) await owner.screenshot({ path: `${DOCS}web-dashboard.png`, fullPage: true });
  });

  step("opens the terminal and runs git --version in the container", async () => {
    await owner.setViewportSize({ width: 1000, height: 800 });
    await owner.locator(`[data-action="terminal-${NAME}"]`).click();
    await owner.getByTestId("terminal-status").filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    const screen = owner.getByTestId("terminal");
    await screen.click();
    // Wait for the shell's prompt before typing.
    await owner.waitForFunction(
      () =>
        /root@/.test((globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? ""),
      undefined,
      { timeout: 60_000 },
    );
    await owner.keyboard.type("git --version");
    await owner.keyboard.press("Enter");
    await owner.waitForFunction(
      () =>
        /git version \d/.test(
          (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
        ),
      undefined,
      { timeout: 60_000 },
    );
    if (SCREENSHOTS) await owner.screenshot({ path: `${DOCS}web-terminal.png` });
    await owner.getByRole("button", { name: "Close" }).click();
  });

  step(
    "a dropped connection reattaches the terminal to the same shell: export X=1, drop, reconnect, echo $X prints 1",
    async () => {
      const proxy = await startProxy(url);
      try {
        const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
        const page = await context.newPage();
        await signIn(page, (await loginLink(env, "telegram:42")).replace(url, proxy.url));
        await page.locator(`[data-action="terminal-${NAME}"]`).click();
        const status = page.getByTestId("terminal-status");
        await status.filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
        await page.getByTestId("terminal").click();
        await page.waitForFunction(
          () =>
            /root@/.test(
              (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
            ),
          undefined,
          { timeout: 60_000 },
        );
        await page.keyboard.type("export X=1");
        await page.keyboard.press("Enter");
        await page.keyboard.type("echo before=$X");
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          () =>
            /before=1/.test(
              (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
            ),
          undefined,
          { timeout: 60_000 },
        );

        proxy.dropAll();
        await status.filter({ hasText: /Reconnecting|Disconnected/ }).waitFor({ timeout: 30_000 });
        await status.filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
        // The replayed scrollback is on the screen again, and the shell still has X.
        await page.waitForFunction(
          () =>
            /before=1/.test(
              (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
            ),
          undefined,
          { timeout: 30_000 },
        );
        await page.getByTestId("terminal").click();
        await page.keyboard.type("echo after=$X");
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          () =>
            /after=1/.test(
              (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
            ),
          undefined,
          { timeout: 60_000 },
        );
        assert.doesNotMatch(await screenText(page), /previous shell has ended/);

        const app = await env.app();
        try {
          const attaches = await app.core.auditLog(
            { userId: "local:admin" },
            { user: "telegram:42", operation: "attachShell", outcome: "ok" },
          );
          assert.equal(attaches.entries.length, 1, "one reattach, to the same shell");
        } finally {
          await app.close();
        }
        await page.getByRole("button", { name: "Close" }).click();
        await context.close();
      } finally {
        proxy.close();
      }
    },
  );

  step("a page reload reopens the terminal on the same shell, with its recent output", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const attaches = async () => {
      const app = await env.app();
      try {
        return (
          await app.core.auditLog(
            { userId: "local:admin" },
            { user: "telegram:42", operation: "attachShell", outcome: "ok" },
          )
        ).entries.length;
      } finally {
        await app.close();
      }
    };
    const before = await attaches();
    await signIn(page, await loginLink(env, "telegram:42"));
    await page.locator(`[data-action="terminal-${NAME}"]`).click();
    const status = page.getByTestId("terminal-status");
    await status.filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    await page.getByTestId("terminal").click();
    await page.waitForFunction(
      () =>
        /root@/.test((globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? ""),
      undefined,
      { timeout: 60_000 },
    );
    await page.keyboard.type("export Y=kept; echo before-reload=$Y");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () =>
        /before-reload=kept/.test(
          (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
        ),
      undefined,
      { timeout: 60_000 },
    );

    await page.reload();
    await page.getByRole("heading", { name: "Your workloads" }).waitFor();
    // Nobody clicks "Terminal": the page reopens it and the shell's recent output is replayed.
    await status.filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        /before-reload=kept/.test(
          (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
        ),
      undefined,
      { timeout: 30_000 },
    );
    await page.getByTestId("terminal").click();
    await page.keyboard.type("echo after-reload=$Y");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () =>
        /after-reload=kept/.test(
          (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
        ),
      undefined,
      { timeout: 60_000 },
    );
    assert.doesNotMatch(await screenText(page), /previous shell has ended/);
    assert.equal(await attaches(), before + 1, "the reload reattached to the same shell once");
    // Close ends the shell: a reload after that opens no terminal.
    await page.getByRole("button", { name: "Close" }).click();
    await page.reload();
    // The page decides about its terminal right after the storage card is drawn (the last step of its start).
    await page.getByTestId("storage-used").waitFor();
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    assert.equal(await page.getByTestId("terminal-status").count(), 0, "no terminal after Close and a reload");
    await context.close();
  });

  step("another user sees none of it: not in the list, 'not found' over the API and the terminal", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, await loginLink(env, "telegram:43"));
    await page.getByText("No workloads yet").waitFor();
    const answers = await page.evaluate(async (name) => {
      const show = await fetch(`/api/v1/workloads/${name}`);
      const page = globalThis as unknown as PageGlobals;
      const csrf = page.document.querySelector('meta[name="csrf-token"]')?.content ?? "";
      const stop = await fetch(`/api/v1/workloads/${name}/stop`, { method: "POST", headers: { "x-csrf-token": csrf } });
      const terminal = await new Promise<string>((resolve) => {
        const socket = new page.WebSocket(`ws://${page.location.host}/web/terminal/${name}`);
        socket.onopen = () => resolve("open");
        socket.onerror = () => resolve("refused");
      });
      return {
        show: show.status,
        stop: stop.status,
        kind: ((await stop.json()) as { error: { kind: string } }).error.kind,
        terminal,
      };
    }, NAME);
    assert.deepEqual(answers, { show: 404, stop: 404, kind: "not-found", terminal: "refused" });
    await context.close();
  });

  step(
    "the SSH keys card: paste a public key, see its fingerprint; another person cannot take it; remove it",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-web-key-"));
      try {
        const made = spawnSync("ssh-keygen", [
          "-q",
          "-t",
          "ed25519",
          "-N",
          "",
          "-C",
          "alice@phone",
          "-f",
          join(dir, "id"),
        ]);
        assert.equal(made.status, 0, String(made.stderr));
        const publicKey = readFileSync(join(dir, "id.pub"), "utf8").trim();
        const fingerprint = String(spawnSync("ssh-keygen", ["-lf", join(dir, "id.pub")]).stdout).split(" ")[1]!;
        const card = owner.getByTestId("ssh-keys-card");
        await card.getByText("No keys yet").waitFor();
        await card.getByTestId("ssh-key-input").fill(publicKey);
        await card.getByTestId("ssh-key-add").click();
        await card.getByTestId("ssh-keys").getByText(fingerprint).waitFor();
        await card.getByText("alice@phone").waitFor();

        const context = await browser.newContext();
        const page = await context.newPage();
        await signIn(page, await loginLink(env, "telegram:43"));
        const theirs = page.getByTestId("ssh-keys-card");
        await theirs.getByTestId("ssh-key-input").fill(publicKey);
        await theirs.getByTestId("ssh-key-add").click();
        await page.getByTestId("notice").filter({ hasText: "already registered" }).waitFor();
        assert.doesNotMatch(
          (await page.getByTestId("notice").textContent()) ?? "",
          /telegram:42/,
          "the refusal names no one",
        );
        await theirs.getByText("No keys yet").waitFor();
        await context.close();

        await owner.locator(`[data-action="remove-key-${fingerprint}"]`).click();
        await card.getByText("No keys yet").waitFor();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  step("a WebSocket from a foreign Origin is refused even with the owner's cookie", async () => {
    const cookie = (await owner.context().cookies()).find((candidate) => candidate.name === "voxnix_session")!;
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${url.replace("http", "ws")}/web/terminal/${NAME}`, {
        headers: { cookie: `voxnix_session=${cookie.value}`, origin: "https://evil.example" },
      });
      socket.once("open", () => resolve(101));
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", () => resolve(-1));
    });
    assert.equal(status, 403);
  });

  step(
    "the admin sees every workload with its owner, approves a pending user, changes limits and filters the audit log",
    async () => {
      const app = await env.app();
      try {
        // Someone who wrote to the bot and waits for approval.
        await app.core.whoami({ userId: "telegram:77" });
      } finally {
        await app.close();
      }
      const context = await browser.newContext({ viewport: { width: 412, height: 915 } });
      const page = await context.newPage();
      await page.goto(await loginLink(env, "local:admin"));
      await page.getByRole("button", { name: "Open my dashboard" }).click();
      await page.getByRole("heading", { name: "All workloads" }).waitFor();
      await page.getByTestId(`owner-${NAME}`).filter({ hasText: "telegram:42" }).waitFor();

      const users = page.getByTestId("users");
      await users.getByRole("heading", { name: "Users (1 waiting for approval)" }).waitFor();
      await page.locator('[data-action="approve-telegram:77"]').click();
      await users.getByRole("heading", { name: "Users", exact: true }).waitFor();
      assert.equal(await page.locator('[data-user="telegram:77"] .badge').textContent(), "active");

      await page.locator('[data-action="limits-telegram:43"]').click();
      await page.locator('[data-user="telegram:43"] input[name="maxWorkloads"]').fill("2");
      await page.locator('[data-user="telegram:43"] input[name="diskQuota"]').fill("3G");
      await page.locator('[data-action="save-limits-telegram:43"]').click();
      await page
        .getByTestId("limits-telegram:43")
        .filter({ hasText: /^2 workloads · 3\.0 GiB disk/ })
        .waitFor();

      const audit = page.getByTestId("audit");
      await audit.locator('[data-filter="user"]').fill("telegram:42");
      await audit.locator('[data-filter="operation"]').fill("create");
      await audit.getByTestId("audit-filter").click();
      const entries = audit.getByTestId("audit-entries").locator("li");
      await entries.first().filter({ hasText: "create" }).waitFor();
      assert.equal(await entries.count(), 1, "telegram:42 created one workload");
      assert.match((await entries.first().textContent()) ?? "", new RegExp(`create${NAME}ok`));
      await audit.locator('[data-filter="operation"]').fill("setUserLimits");
      await audit.locator('[data-filter="user"]').fill("");
      await audit.getByTestId("audit-filter").click();
      await audit.getByTestId("audit-entries").locator("li").filter({ hasText: "setUserLimits" }).first().waitFor();
      if (SCREENSHOTS) {
        // From the top, so the sticky header is where it belongs in a full-page picture.
        await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
        await page.screenshot({ path: `${DOCS}web-admin.png`, fullPage: true });
      }

      // The owner's session is not an admin's: the audit log and user list are refused.
      const refused = await owner.evaluate(async () => [
        (await fetch("/api/v1/audit")).status,
        (await fetch("/api/v1/users")).status,
      ]);
      assert.deepEqual(refused, [403, 403]);
      await context.close();
    },
  );

  step("destroys with the plan and the confirm step, then restores it", async () => {
    await owner.locator(`[data-action="destroy-${NAME}"]`).click();
    const dialog = owner.getByTestId("dialog");
    await dialog.getByText(`Destroy ${NAME}?`).waitFor();
    await dialog.getByText("This will remove:").waitFor();
    assert.equal(
      (await owner.getByTestId(`state-${NAME}`).textContent())?.trim(),
      "running",
      "nothing happens before the confirm",
    );
    await dialog.getByRole("button", { name: `Destroy ${NAME}` }).click();
    await waitForJobDone(owner, server!, "destroy", NAME, 3 * 60_000);
    await owner.getByTestId(`state-${NAME}`).waitFor({ state: "detached", timeout: 60_000 });
    assert.equal(await env.backend().show(NAME as never), undefined, "the container is gone from the host");

    try {
      await owner.locator(`[data-action="restore-${NAME}"]`).click({ timeout: 60_000 });
    } catch (error) {
      const card = await owner
        .getByTestId("storage-used")
        .locator("..")
        .textContent()
        .catch(() => "(no card)");
      const report = await owner.evaluate(async () => (await fetch("/api/v1/storage")).text()).catch(String);
      assert.fail(
        `no Restore button: ${String(error)}\ncard: ${card}\nGET /storage: ${report}\n${await pageReport(owner)}\n${server!.log().slice(-4000)}`,
      );
    }
    // Running, or the job's failure in the notice (then fail at once, with the server's log).
    const running = owner.getByTestId(`state-${NAME}`).filter({ hasText: "running" });
    // Any error notice: the job's failure, or a refused request (a 429 once stalled this step silently).
    const failedNotice = owner.locator(".notice.error");
    try {
      await running
        .or(failedNotice)
        .first()
        .waitFor({ timeout: 5 * 60_000 });
    } catch (error) {
      const shown = await owner
        .getByTestId(`state-${NAME}`)
        .textContent()
        .catch(() => "(no row)");
      const host = await env
        .backend()
        .show(NAME as never)
        .catch(() => undefined);
      assert.fail(
        `no restored state after 5 min (page shows ${shown}; host: ${JSON.stringify(host?.state)}): ${String(error)}\n${server!.log().slice(-4000)}`,
      );
    }
    if (await failedNotice.isVisible())
      assert.fail(`the restore failed: ${await failedNotice.textContent()}\n${server!.log()}`);
    assert.equal((await env.backend().show(NAME as never))?.state, "running");
  });

  step("logs out: the session ends on the server", async () => {
    const cookie = (await owner.context().cookies()).find((candidate) => candidate.name === "voxnix_session")!;
    await owner.getByRole("button", { name: "Log out" }).click();
    await owner.getByText("You are signed out").waitFor();
    const answer = await fetch(`${url}/api/v1/whoami`, { headers: { cookie: `voxnix_session=${cookie.value}` } });
    assert.equal(answer.status, 401);
  });
});
