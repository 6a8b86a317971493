/**
 * The one interactive path on a real host pseudo-terminal: the process spawner's terminal
 * sessions (every `Runtime.attach` with a terminal: the SSH gateway, the browser terminal,
 * `ctl shell`). The program sees a terminal of the asked size, clamped when hostile, input
 * arrives as bytes, and a hang-up ends it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createProcessSpawner } from "../../../src/host/process-spawner.js";
import { TERMINAL_LIMITS } from "../../../src/host/pty.js";

const SIZE_SCRIPT = 'stty size; read line; printf "got:%s\\n" "$line"';

void describe("host pseudo-terminals", () => {
  void it("a terminal session gets the clamped size, bytes in, bytes out", async () => {
    const session = await createProcessSpawner().spawn("/bin/sh", ["-c", SIZE_SCRIPT], {
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 20_000,
      terminal: { term: "xterm-256color", cols: 1e9, rows: 1e6 },
    });
    const chunks: Buffer[] = [];
    session.stdout.on("data", (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    await waitFor(() => /\d+ \d+/.test(Buffer.concat(chunks).toString()));
    assert.match(Buffer.concat(chunks).toString(), new RegExp(`${TERMINAL_LIMITS.maxRows} ${TERMINAL_LIMITS.maxCols}`));
    // A two-byte character split across writes arrives whole.
    const bytes = Buffer.from("é\r");
    session.stdin.write(bytes.subarray(0, 1));
    session.stdin.write(bytes.subarray(1));
    const exit = await session.exit;
    assert.equal(exit.exitCode, 0);
    assert.match(Buffer.concat(chunks).toString(), /got:é/);
  });

  void it("a hang-up ends a program that waits forever", async () => {
    const session = await createProcessSpawner({ killGraceMs: 500 }).spawn("/bin/sh", ["-c", "read line"], {
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 20_000,
      terminal: { term: "xterm", cols: 80, rows: 24 },
    });
    session.close();
    const exit = await session.exit;
    assert.notEqual(exit.exitCode, 0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), "the expected output arrived");
}
