/**
 * The launcher on the real host shell, without root: it joins the given `cgroup.procs` files
 * (plain files here), closes inherited descriptors, executes the program with its argv intact,
 * and executes nothing when a group cannot be joined.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { LAUNCHER_JOIN_FAILED, LAUNCHER_SHELL, launcherArgs } from "../../../../src/runtimes/nspawn/launcher.js";

const scratch = mkdtempSync(path.join(tmpdir(), "vx-launcher-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("launcher", () => {
  it("writes its own pid into every group, then executes the program with its words intact", () => {
    const groups = ["a", "b"].map((name) => path.join(scratch, `${name}.procs`));
    for (const group of groups) writeFileSync(group, "");
    const tricky = ["printf", "%s|", "two words", "$HOME", "; rm -rf /", "--"];
    const result = spawnSync(
      LAUNCHER_SHELL,
      launcherArgs(groups, ["sh", "-c", 'echo "$$"; shift 0; "$@"', "sh", ...tricky]),
      { encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    const [pid, words] = result.stdout.split("\n");
    for (const group of groups)
      assert.equal(readFileSync(group, "utf8").trim(), pid, "the exec'd program is the process that joined");
    assert.equal(words, "two words|$HOME|; rm -rf /|--|", "no word was split, expanded or run");
  });

  it("closes every inherited descriptor above 2 before executing", () => {
    const file = path.join(scratch, "held");
    writeFileSync(file, "");
    const descriptor = openSync(file, "r");
    try {
      // `test` is a shell builtin, so /proc/self is the program the launcher executed.
      const probe = "for n in 0 1 2 3 4; do if [ -e /proc/self/fd/$n ]; then printf '%s ' $n; fi; done";
      const result = spawnSync(LAUNCHER_SHELL, launcherArgs([], ["sh", "-c", probe]), {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe", descriptor, descriptor],
      });
      assert.equal(result.stdout.trim(), "0 1 2", `only stdio is left: ${result.stdout}`);
    } finally {
      closeSync(descriptor);
    }
  });

  it("executes nothing when a group cannot be joined", () => {
    const marker = path.join(scratch, "ran");
    const result = spawnSync(
      LAUNCHER_SHELL,
      launcherArgs([path.join(scratch, "missing", "cgroup.procs")], ["touch", marker]),
      { encoding: "utf8" },
    );
    assert.equal(result.status, LAUNCHER_JOIN_FAILED);
    assert.throws(() => readFileSync(marker), "the program never ran");
  });
});
