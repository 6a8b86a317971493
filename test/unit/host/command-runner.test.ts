import { describe, it } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { HostFailureError, TimeoutError } from "../../../src/domain/errors.js";
import { createCommandRunner, redactSecrets } from "../../../src/host/command-runner.js";
import type { Logger, LogFn } from "../../../src/ports/logger.js";

const NODE = process.execPath;

/** A logger that keeps every line, to check what would have been logged. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = ((fields: unknown, message?: string) => void lines.push(JSON.stringify({ fields, message }))) as LogFn;
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return { logger, lines };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe("createCommandRunner", () => {
  it("resolves with output and exit code 0", async () => {
    const result = await createCommandRunner().run(
      NODE,
      ["-e", "process.stdout.write('out'); process.stderr.write('err')"],
      { timeoutMs: 10_000 },
    );
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, "out");
    assert.equal(result.stderr, "err");
    assert.equal(result.timedOut, false);
    assert.equal(result.truncated, false);
    assert.deepEqual(result.args, ["-e", "process.stdout.write('out'); process.stderr.write('err')"]);
  });

  it("a non-zero exit is a result, not an exception", async () => {
    const result = await createCommandRunner().run(NODE, ["-e", "process.exit(3)"], { timeoutMs: 10_000 });
    assert.equal(result.exitCode, 3);
    assert.equal(result.signal, null);
  });

  it("passes arguments literally, never through a shell", async () => {
    const tricky = "$(echo pwned); `id` && echo; *";
    const result = await createCommandRunner().run(NODE, ["-e", "process.stdout.write(process.argv[1])", tricky], {
      timeoutMs: 10_000,
    });
    assert.equal(result.stdout, tricky);
  });

  it("writes input to standard input", async () => {
    const result = await createCommandRunner().run(NODE, ["-e", "process.stdin.pipe(process.stdout)"], {
      timeoutMs: 10_000,
      input: "hello\nworld",
    });
    assert.equal(result.stdout, "hello\nworld");
  });

  it("merges call env over the base env", async () => {
    const runner = createCommandRunner({ baseEnv: { PATH: process.env.PATH, FROM_BASE: "base", OVERRIDDEN: "base" } });
    const result = await runner.run(
      NODE,
      [
        "-e",
        "process.stdout.write([process.env.FROM_BASE, process.env.OVERRIDDEN, process.env.HOME ?? 'none'].join(','))",
      ],
      {
        timeoutMs: 10_000,
        env: { OVERRIDDEN: "call" },
      },
    );
    assert.equal(result.stdout, "base,call,none");
  });

  it("keeps at most maxOutputBytes and sets truncated, draining the rest", async () => {
    const result = await createCommandRunner().run(
      NODE,
      ["-e", "process.stdout.write('x'.repeat(300000)); process.stderr.write('ok')"],
      { timeoutMs: 10_000, maxOutputBytes: 1000 },
    );
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout.length, 1000);
    assert.equal(result.truncated, true);
    assert.equal(result.stderr, "ok");
  });

  it("streams output chunks to onOutput", async () => {
    const seen: string[] = [];
    await createCommandRunner().run(NODE, ["-e", "console.log('one'); console.error('two')"], {
      timeoutMs: 10_000,
      onOutput: (stream, chunk) => seen.push(`${stream}:${chunk.trim()}`),
    });
    assert.ok(seen.includes("stdout:one"));
    assert.ok(seen.includes("stderr:two"));
  });

  it("kills a process that runs past its timeout and rejects with TimeoutError", async () => {
    let pid = 0;
    // Generous: on a loaded machine node alone can take a second to start.
    const promise = createCommandRunner().run(NODE, ["-e", "console.log(process.pid); setInterval(() => {}, 1000)"], {
      timeoutMs: 4000,
      onOutput: (stream, chunk) => {
        if (stream === "stdout") pid = Number(chunk.trim());
      },
    });
    await assert.rejects(
      promise,
      (error: unknown) =>
        error instanceof TimeoutError && error.timeoutMs === 4000 && /did not finish within 4 s/.test(error.message),
    );
    assert.ok(pid > 0, "the process started and printed its pid");
    assert.equal(await waitUntil(() => !isAlive(pid)), true, "the timed-out process is gone");
  });

  it("sends SIGKILL after the grace period to a process that ignores SIGTERM", async () => {
    let pid = 0;
    const controller = new AbortController();
    const runner = createCommandRunner({ killGraceMs: 300 });
    // The pid is printed after the SIGTERM handler is installed, so cancelling then tests the escalation.
    const result = await runner.run(
      NODE,
      ["-e", "process.on('SIGTERM', () => {}); console.log(process.pid); setInterval(() => {}, 1000)"],
      {
        timeoutMs: 60_000,
        signal: controller.signal,
        onOutput: (stream, chunk) => {
          if (stream === "stdout") {
            pid = Number(chunk.trim());
            controller.abort();
          }
        },
      },
    );
    assert.equal(result.signal, "SIGKILL");
    assert.ok(pid > 0);
    assert.equal(isAlive(pid), false);
  });

  it("cancels through an AbortSignal, resolving with the signal", async () => {
    const controller = new AbortController();
    const promise = createCommandRunner().run(NODE, ["-e", "console.log('up'); setInterval(() => {}, 1000)"], {
      timeoutMs: 60_000,
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    const result = await promise;
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, "SIGTERM");
    assert.equal(result.timedOut, false);
  });

  it("rejects with HostFailureError naming the program when it is not installed", async () => {
    await assert.rejects(
      createCommandRunner().run("voxnix-no-such-program", ["--version"], { timeoutMs: 5000 }),
      (error: unknown) =>
        error instanceof HostFailureError &&
        error.message.includes("voxnix-no-such-program") &&
        /not installed/.test(error.message),
    );
  });

  it("rejects with HostFailureError when the file is not executable", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "voxnix-runner-")), "not-executable");
    writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 });
    await assert.rejects(
      createCommandRunner().run(file, [], { timeoutMs: 5000 }),
      (error: unknown) => error instanceof HostFailureError && /permission denied/.test(error.message),
    );
  });

  it("refuses a call without a positive timeout", async () => {
    await assert.rejects(createCommandRunner().run(NODE, ["-e", ""], { timeoutMs: 0 }), RangeError);
  });

  it("redacts secrets from logs and error messages", async () => {
    const { logger, lines } = recordingLogger();
    const runner = createCommandRunner({ logger, secrets: ["runner-wide-secret"] });
    await runner.run(NODE, ["-e", "0", "--", "--auth-key=tskey-abc123", "runner-wide-secret"], {
      timeoutMs: 10_000,
      secrets: ["tskey-abc123"],
    });
    const logged = lines.join("\n");
    assert.match(logged, /--auth-key=\*\*\*/);
    assert.doesNotMatch(logged, /tskey-abc123/);
    assert.doesNotMatch(logged, /runner-wide-secret/);
    assert.match(logged, /"exitCode":0/);

    await assert.rejects(
      runner.run("voxnix-no-such-program", ["--key", "tskey-abc123"], { timeoutMs: 5000, secrets: ["tskey-abc123"] }),
      (error: unknown) => {
        assert.ok(error instanceof HostFailureError);
        assert.doesNotMatch(error.detail ?? "", /tskey-abc123/);
        return true;
      },
    );
    assert.doesNotMatch(lines.join("\n"), /tskey-abc123/);
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence and ignores empty secrets", () => {
    assert.equal(redactSecrets("a=s3cr3t b=s3cr3t", ["s3cr3t", ""]), "a=*** b=***");
  });
});
