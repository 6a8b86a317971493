/**
 * What the browser tests share: Debian's Chromium (playwright-core cannot download one), the
 * built CLI's `voxnix http` started on the environment, login links from `voxnix web link`
 * and signing a page in with one.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { e2eUnavailable, voxnix, type E2eEnv } from "./harness.js";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** The built CLI. */
export const CLI = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));

/** Why the browser tests cannot run here, or undefined. */
export function browserUnavailable(): string | undefined {
  return e2eUnavailable() ?? (existsSync(CHROMIUM) ? undefined : "chromium is missing (apt-get install -y chromium)");
}

/** A running `voxnix http` with its URL and what it logged (for failure messages). */
export interface HttpServer {
  readonly child: ChildProcess;
  readonly url: string;
  log(): string;
}

/** Starts `voxnix http` (the built CLI) and resolves once it says it is ready. */
export function startHttp(env: E2eEnv): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "http"], { env: env.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`voxnix http did not start: ${stderr}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find((candidate) => candidate.includes('"http-ready"'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: (JSON.parse(line) as { url: string }).url, log: () => stderr });
      }
    });
    child.once("exit", (code) => reject(new Error(`voxnix http exited ${code}: ${stderr}`)));
  });
}

/** A login link for `user` from the built CLI. */
export async function loginLink(env: E2eEnv, user: string): Promise<string> {
  const made = await voxnix(env, ["--as", user, "--json", "web", "link"]);
  assert.equal(made.code, 0, made.stderr);
  const { result } = JSON.parse(made.stdout) as { result: { url: string; userId: string } };
  assert.equal(result.userId, user);
  return result.url;
}

/** Opens `url` (a login link) in `page` and waits for the dashboard's list. */
export async function signIn(page: Page, url: string, heading = "Your workloads"): Promise<void> {
  await page.goto(url);
  await page.getByRole("button", { name: "Open my dashboard" }).click();
  await page.waitForURL(/\/web\/$/);
  await page.getByRole("heading", { name: heading }).waitFor();
}

/**
 * Waits until the page says `kind of name: done.`; fails at once, with what the page and the
 * server said, when an error notice appears instead (a refused request, a failed job) or
 * nothing is said within `timeoutMs`.
 */
export async function waitForJobDone(
  page: Page,
  server: HttpServer,
  kind: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const done = page.getByText(`${kind} of ${name}: done.`);
  const error = page.locator(".notice.error");
  try {
    await done.or(error).first().waitFor({ timeout: timeoutMs });
  } catch (waited) {
    assert.fail(
      `no "${kind} of ${name}: done." within ${timeoutMs / 1000} s: ${String(waited)}\n${await pageReport(page)}\n${server.log().slice(-6000)}`,
    );
  }
  if (await error.isVisible())
    assert.fail(
      `the page shows an error instead of "${kind} of ${name}: done.": ${await error.textContent()}\n${await pageReport(page)}\n${server.log().slice(-6000)}`,
    );
}

/** The notice and the job lines on the page, for failure messages. */
export async function pageReport(page: Page): Promise<string> {
  const notice = await page
    .getByTestId("notice")
    .textContent()
    .catch(() => "(none)");
  const jobs = await page
    .locator("[data-job]")
    .allTextContents()
    .catch(() => []);
  return `notice: ${notice}; jobs: ${JSON.stringify(jobs)}`;
}
