/**
 * `voxnix setup` on a terminal without `--yes` asks once before installing host packages
 * (Enter means yes); "no" installs and changes nothing; without a terminal it never waits for
 * an answer and says to use `--yes`. The fake runner knows no packages, so every one is missing
 * and no apt-get can start: an install that was tried shows up as apt-get's failure.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCliHarness } from "./cli-harness.js";

void describe("setup asks before installing", () => {
  void it("asks once, names the packages, and does nothing on no", async () => {
    const harness = createCliHarness();
    const declined = await harness.cliAnswering(["n"], "setup");
    assert.equal(declined.asked.length, 1);
    assert.match(
      declined.asked[0]!,
      /These host packages are missing: .*systemd-container.*\nInstall them with apt-get now\? \[Y\/n\] $/s,
    );
    assert.equal(declined.code, 2, declined.stderr);
    assert.match(declined.stderr, /Nothing was installed or changed\. Run `voxnix setup --yes` when you want/);
    assert.doesNotMatch(declined.stderr, /apt-get" could not be started/, "apt-get was never run");
  });

  void it("installs on yes or Enter", async () => {
    const harness = createCliHarness();
    for (const answer of ["y", ""]) {
      const accepted = await harness.cliAnswering([answer], "setup");
      assert.equal(accepted.asked.length, 1);
      assert.notEqual(accepted.code, 0);
      assert.match(
        accepted.stderr,
        /apt-get/,
        `the install was tried after ${JSON.stringify(answer)}: ${accepted.stderr}`,
      );
      assert.doesNotMatch(accepted.stderr, /Nothing was installed or changed|These host packages are missing/);
    }
  });

  void it("without a terminal, never waits and points to --yes", async () => {
    const harness = createCliHarness();
    const result = await harness.cli("setup");
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /These host packages are missing: .*Run `voxnix setup --yes` to install them with apt-get\./,
    );
  });
});
