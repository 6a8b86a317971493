/**
 * The README's first command on a fresh checkout: `git clone` into a temporary directory, then
 * `npm run up` there with standard input piped (no terminal, no LLM key, no configuration
 * beyond the test's own state directory, bridge and port). It must install and build, set the
 * machine up and start the chat with the dashboard without a second command: the greeting names
 * the dashboard with a login link that opens the sign-in page, one chat line is answered, and
 * end of input ends everything with exit 0 (the dashboard's port closes with it).
 *
 * What is not fresh, so the test takes minutes, not a quarter of an hour (measured on a 2-vCPU
 * machine: `npm ci` from an empty `node_modules` took 8 min, most of it compiling
 * better-sqlite3, whose prebuilt binary needs GitHub): the clone's `node_modules` is a copy of
 * this checkout's, so `npm install` (the real one, `--prefer-offline`) finds it up to date and
 * runs the build (`prepare`) in the clone; the base image is imported from the tests' shared
 * download, so `setup` checks it rather than running debootstrap (setup.test.ts and the image
 * build cover that). `VOXNIX_UP_FRESH_NPM=1` leaves `node_modules` out, for a run that installs
 * everything (then allow 15 minutes). Measured 2026-12-02 at load 15 on 2 vCPUs: the chat's
 * prompt came 110 s after `npm run up` with `node_modules` copied, 609 s with everything
 * installed from npm's cache (better-sqlite3 compiled by node-gyp); both passed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe } from "node:test";
import { createE2eEnv, e2eUnavailable, storySteps, waitUntil, type E2eEnv } from "./harness.js";
import { freePort } from "../../src/host/free-port.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const FRESH_NPM = process.env.VOXNIX_UP_FRESH_NPM === "1";
const skip =
  e2eUnavailable() ??
  (existsSync("/usr/bin/git") ? undefined : "git is missing") ??
  (existsSync(path.join(REPO, ".git")) ? undefined : "not a git checkout") ??
  (FRESH_NPM || existsSync(path.join(REPO, "node_modules")) ? undefined : "this checkout has no node_modules to copy");

/** Variables that would give the chat a model or a bot: `up` must work without any. */
const KEYS =
  /^(ANTHROPIC_|OPENAI_|OPENROUTER_|GROQ_|VOXNIX_LLM|VOXNIX_TELEGRAM|VOXNIX_LOG_LEVEL$|VOXNIX_ENTRY$|VOXNIX_FROM_SOURCE$|npm_)/;

describe("npm run up on a fresh clone, input piped", { skip, timeout: (FRESH_NPM ? 20 : 10) * 60_000 }, () => {
  let env: E2eEnv;
  let checkout = "";
  let port = 0;
  const { step, failed } = storySteps();

  before(async () => {
    port = await freePort();
    env = await createE2eEnv({ extraConfig: { http: { listen: `127.0.0.1:${port}` } } });
    checkout = mkdtempSync(path.join(env.root, "clone-"));
  });
  after(async () => {
    if (checkout) rmSync(checkout, { recursive: true, force: true });
    await env?.cleanup(failed());
  });

  step("git clone gives a checkout without dependencies or a build", async () => {
    const cloned = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", REPO, path.join(checkout, "voxnix")], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(cloned.status, 0, cloned.stderr);
    checkout = path.join(checkout, "voxnix");
    assert.equal(existsSync(path.join(checkout, "dist")), false, "no build is committed");
    if (!FRESH_NPM) {
      const copied = spawnSync(
        "cp",
        ["-a", "--reflink=auto", path.join(REPO, "node_modules"), path.join(checkout, "node_modules")],
        { encoding: "utf8", timeout: 300_000 },
      );
      assert.equal(copied.status, 0, copied.stderr);
    }
    await Promise.resolve();
  });

  step(
    "npm run up installs, builds, sets up and starts the chat and the dashboard; a line is answered; EOF ends it with exit 0",
    async () => {
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries(env.env)) if (!KEYS.test(name)) environment[name] = value;
      Object.assign(environment, {
        npm_config_prefer_offline: "true",
        npm_config_audit: "false",
        npm_config_fund: "false",
        npm_config_update_notifier: "false",
      });
      const started = Date.now();
      const up = spawn("npm", ["run", "up"], { cwd: checkout, env: environment, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      up.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      up.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => up.once("close", (code) => resolve(code)));
      try {
        // One line typed (piped) as soon as the chat asks; the pipe stays open until it is answered.
        assert.ok(
          await waitUntil(() => stdout.includes("you › ") || up.exitCode !== null, (FRESH_NPM ? 15 : 8) * 60_000),
          `no chat prompt:\n${stdout}\n${stderr.slice(-3000)}`,
        );
        assert.equal(up.exitCode, null, `npm run up ended early:\n${stdout}\n${stderr.slice(-3000)}`);
        const ready = Math.round((Date.now() - started) / 1000);
        assert.ok(existsSync(path.join(checkout, "dist/bundle/cli/main.js")), "npm install built dist/ (prepare)");
        assert.match(stdout, /Setup:\n/);
        assert.match(stdout, /This host can run containers\./);
        assert.ok(
          stdout.includes(
            `The dashboard is at http://127.0.0.1:${port}/web/ (on this machine only: http.listen is 127.0.0.1:${port}).\n`,
          ),
          stdout,
        );
        assert.match(stdout, /voxnix chat as local:admin, offline assistant \(no model configured\)/);
        const link = /Sign in with: (\S+) \(for local:admin; works once/.exec(stdout)?.[1];
        assert.ok(link?.startsWith(`http://127.0.0.1:${port}/web/login/vxl_`), stdout);
        const page = await fetch(link!);
        assert.equal(page.status, 200);
        assert.match(
          await page.text(),
          /Open my dashboard/,
          "the link opens the sign-in page of the dashboard the chat serves",
        );

        const mark = stdout.length;
        up.stdin.write("list\n");
        assert.ok(
          await waitUntil(() => stdout.slice(mark).includes("you › "), 60_000),
          `the line was not answered:\n${stdout.slice(mark)}\n${stderr.slice(-2000)}`,
        );
        assert.match(stdout.slice(mark), /^list\nvoxnix › You have no containers yet\./, stdout.slice(mark));
        up.stdin.end();
        assert.equal(await exited, 0, `${stdout.slice(-2000)}\n${stderr.slice(-3000)}`);
        await assert.rejects(
          fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`),
          "the dashboard stopped with the chat",
        );
        console.error(
          `# npm run up: chat prompt after ${ready} s (${FRESH_NPM ? "npm installing everything" : "node_modules copied"}), load ${spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.trim()}`,
        );
      } finally {
        if (up.exitCode === null) up.kill("SIGKILL");
      }
    },
  );
});
