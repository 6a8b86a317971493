/**
 * `voxnix ctl exec` and `voxnix ctl shell` as a person runs them, the bundled CLI against a
 * real nspawn container: exec streams the command's stdout and stderr apart, passes standard
 * input in and exits with the command's status; `--timeout` stops a command and says so;
 * `ctl shell` on a real terminal (a pty, as a person's terminal emulator gives) shows the
 * login shell, follows a window resize, exits with the shell's status and is audited as a CLI
 * session; `ctl exec --tty` gives a command a terminal; another user gets "not found".
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import Database from "better-sqlite3";
import path from "node:path";
import { loadPty } from "../../src/host/pty.js";
import { CLI, createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const ALICE = ["--as", "telegram:42"];
const BOB = ["--as", "telegram:43"];

/** The CLI on a new pty of `cols`×`rows`, as a terminal emulator runs it. */
async function onTerminal(env: E2eEnv, args: readonly string[], size: { cols: number; rows: number }) {
  const pty = await loadPty();
  const child = pty.spawn(process.execPath, [CLI, ...args], {
    name: "xterm-256color",
    cols: size.cols,
    rows: size.rows,
    env: env.env,
  });
  let screen = "";
  child.onData((data) => (screen += data));
  const exited = new Promise<number>((resolve) => child.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (pattern: RegExp, what: string) => {
    if (!(await waitUntil(() => pattern.test(screen), 60_000)))
      assert.fail(`${what}: ${JSON.stringify(screen.slice(-500))} never matched ${pattern}`);
  };
  return { child, exited, waitFor, screen: () => screen };
}

describe("ctl exec and ctl shell on a real container", { skip, timeout: 15 * 60_000 }, () => {
  let env: E2eEnv;
  const { step, failed } = storySteps();
  before(async () => {
    env = await createE2eEnv();
  });
  after(async () => {
    await env?.cleanup(failed());
  });

  step("a container to work in", async () => {
    const created = await voxnix(env, [...ALICE, "ctl", "create", "term"]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });

  step("exec streams stdout and stderr apart and exits with the command's status", async () => {
    const result = await voxnix(env, [
      ...ALICE,
      "ctl",
      "exec",
      "term",
      "--",
      "sh",
      "-c",
      "echo out; echo err >&2; exit 3",
    ]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
  });

  step("exec passes standard input in", async () => {
    const lines = Array.from({ length: 2000 }, (_, index) => `line ${index} é\n`).join("");
    const result = await voxnix(
      env,
      [...ALICE, "ctl", "exec", "term", "--", "sh", "-c", "cat > /root/in.txt; wc -l < /root/in.txt"],
      {
        input: lines,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "2000");
    const back = await voxnix(env, [...ALICE, "ctl", "exec", "term", "--", "tail", "-n", "1", "/root/in.txt"]);
    assert.equal(back.stdout, "line 1999 é\n", "multi-byte characters arrive whole");
  });

  step("--timeout stops a command, says so and leaves nothing running", async () => {
    const result = await voxnix(env, [...ALICE, "ctl", "exec", "term", "--timeout", "2", "--", "sleep", "300"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /did not finish within 2 s and was stopped/);
    const left = await voxnix(env, [...ALICE, "ctl", "exec", "term", "--", "sh", "-c", "pgrep -x sleep || echo none"]);
    assert.equal(left.stdout.trim(), "none");
  });

  step("ctl shell on a terminal: the login shell, a resize, the shell's exit status", async () => {
    const shell = await onTerminal(env, [...ALICE, "ctl", "shell", "term"], { cols: 100, rows: 30 });
    shell.child.write("stty size\r");
    await shell.waitFor(/30 100/, "the terminal's size inside");
    shell.child.resize(120, 40);
    shell.child.write("stty size\r");
    await shell.waitFor(/40 120/, "the size after the window changed");
    shell.child.write('echo "$TERM" in""side\r');
    await shell.waitFor(/xterm-256color inside/, "a typed command ran in the container's shell");
    shell.child.write("exit 3\r");
    assert.equal(await shell.exited, 3, "ctl shell exits with the shell's status");
    const db = new Database(path.join(env.root, "state", "voxnix.db"), { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT args_json FROM operations WHERE operation = 'openSession' AND target = 'term' AND outcome = 'ok'",
        )
        .all() as { args_json: string }[];
      const shells = rows
        .map((row) => JSON.parse(row.args_json) as Record<string, unknown>)
        .filter((args) => args.kind === "shell");
      assert.equal(shells.length, 1);
      assert.equal(shells[0]!.via, "cli");
      assert.equal(shells[0]!.terminal, true);
      assert.equal(shells[0]!.exitCode, 3);
    } finally {
      db.close();
    }
  });

  step("ctl exec --tty gives the command a terminal; without it there is none", async () => {
    const script = "test -t 0 && test -t 1 && echo on-a-terminal || echo no-terminal";
    const withTty = await onTerminal(env, [...ALICE, "ctl", "exec", "term", "--tty", "--", "sh", "-c", script], {
      cols: 80,
      rows: 24,
    });
    assert.equal(await withTty.exited, 0);
    assert.match(withTty.screen(), /on-a-terminal/);
    const without = await voxnix(env, [...ALICE, "ctl", "exec", "term", "--", "sh", "-c", script]);
    assert.equal(without.stdout.trim(), "no-terminal");
  });

  step("another user's shell and exec read like a missing workload", async () => {
    const shell = await voxnix(env, [...BOB, "ctl", "shell", "term"]);
    assert.equal(shell.code, 3, shell.stderr);
    const exec = await voxnix(env, [...BOB, "ctl", "exec", "term", "--", "true"]);
    assert.equal(exec.code, 3, exec.stderr);
  });
});
