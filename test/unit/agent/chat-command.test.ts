import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../../bin/voxnix.js", import.meta.url));

function runChat(input: string, directory: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = path.join(directory, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      stateDir: path.join(directory, "state"),
      storage: { driver: "dir" },
      users: { allowlist: ["telegram:42"] },
      log: { level: "silent" },
    }),
  );
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, "--as", "telegram:42", "--dry-run", "chat"],
      { env: { ...process.env, VOXNIX_CONFIG: config, VOXNIX_FROM_SOURCE: "1" }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

describe("voxnix chat (a real process with piped input)", () => {
  it("answers each line, asks for a missing name, plans in dry-run mode and ends on EOF", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "vx-chat-"));
    try {
      const result = await runChat("hello\nwhat do I have\ncreate a container with git\nweb\n", directory);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /voxnix chat as telegram:42, offline assistant/);
      assert.match(result.stdout, /you › hello\nvoxnix › Hi!/);
      assert.match(result.stdout, /You have no containers yet/);
      assert.match(result.stdout, /What should I call it\? For example: dev-1/);
      assert.match(result.stdout, /Dry run: I would create web with git/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
