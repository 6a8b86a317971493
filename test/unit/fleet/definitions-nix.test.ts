/**
 * Nix definitions files, evaluated by the host's real `nix-instantiate` (Debian's nix-bin) in
 * restricted mode without nixpkgs: `let`, functions and `map` give the same definitions as the
 * YAML; a file reading outside its folder, importing `<nixpkgs>` or fetching is refused; a
 * wrong field names the evaluated field; the committed text is the Nix source. Skipped (with a
 * message) where nix-instantiate is not installed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { readDefinitions } from "../../../src/fleet/definitions.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { FakeLogger } from "../../fakes/fake-logger.js";

const hasNix = (() => {
  try {
    execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const directory = mkdtempSync(join(tmpdir(), "voxnix-nix-defs-"));
after(() => rmSync(directory, { recursive: true, force: true }));
const runner = createCommandRunner({ logger: new FakeLogger() });

function write(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

async function refusal(file: string): Promise<string> {
  const error = await readDefinitions(file, { runner }).then(
    () => assert.fail("the file was accepted"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof InvalidInputError, String(error));
  return error.issues.map((issue) => issue.message).join("\n");
}

void describe(
  "Nix definitions files",
  { skip: hasNix ? false : "nix-instantiate is not installed (apt install nix-bin)" },
  () => {
    void it("evaluates let, functions and map without nixpkgs into the same definitions as YAML", async () => {
      const source = [
        'let owner = "telegram:42";',
        '    vm = name: { inherit name owner; memory = "1G"; workspace = "2G"; tags = [ "lab" ]; };',
        "in {",
        '  vms = map vm [ "lab" "web" ] ++ [ { name = "db"; owner = "telegram:43"; cpus = 2; node = "pve2"; } ];',
        '  imported = [ { name = "legacy"; vmid = 120; owner = "telegram:42"; note = "the old file server"; allowPowerControl = true; } ];',
        "}",
      ].join("\n");
      const file = write("vms.nix", source);
      const definitions = await readDefinitions(file, { runner });
      assert.deepEqual(
        definitions.vms.map((vm) => [vm.name, vm.owner, vm.node]),
        [
          ["lab", "telegram:42", "auto"],
          ["web", "telegram:42", "auto"],
          ["db", "telegram:43", "pve2"],
        ],
      );
      assert.equal(definitions.vms[0]?.memory, 1024 ** 3);
      assert.deepEqual(
        definitions.imported.map((vm) => [vm.name, vm.vmid, vm.owner, vm.allowPowerControl]),
        [["legacy", 120, "telegram:42", true]],
      );
      assert.equal(definitions.text, source, "the trail commits the Nix source as written");
    });

    void it("can import a file from its own folder", async () => {
      write("common.nix", '{ owner = "telegram:42"; }');
      const file = write(
        "with-import.nix",
        'let common = import ./common.nix; in { vms = [ { name = "lab"; owner = common.owner; } ]; }',
      );
      const definitions = await readDefinitions(file, { runner });
      assert.equal(definitions.vms[0]?.owner, "telegram:42");
    });

    void it("refuses reading outside its folder, <nixpkgs>, and fetching", async () => {
      assert.match(
        await refusal(
          write("passwd.nix", '{ vms = [ { name = builtins.readFile /etc/hostname; owner = "telegram:42"; } ]; }'),
        ),
        /forbidden in restricted mode/,
      );
      assert.match(
        await refusal(write("nixpkgs.nix", "let pkgs = import <nixpkgs> {}; in { vms = pkgs.lib.voxnixVms; }")),
        /could not be evaluated by Nix: .*nixpkgs/,
      );
      assert.match(
        await refusal(
          write(
            "fetch.nix",
            'let x = builtins.fetchurl "http://127.0.0.1:9/x"; in { vms = [ { name = x; owner = "telegram:42"; } ]; }',
          ),
        ),
        /could not be evaluated by Nix/,
      );
    });

    void it("names the evaluated field of a bad value, and a syntax error", async () => {
      const bad = await refusal(
        write("bad.nix", '{ vms = [ { name = "lab"; owner = "telegram:42"; memroy = "1G"; } ]; }'),
      );
      assert.match(bad, /bad\.nix \(evaluated\): vms\.0: .*memroy/);
      assert.match(
        await refusal(write("syntax.nix", "{ vms = [ ; }")),
        /could not be evaluated by Nix: .*syntax error/,
      );
    });

    void it("stops an evaluation that does not end", async () => {
      // Deep recursion ends in a Nix error; an infinite lazy loop is cut by the timeout. Either is refused.
      assert.match(
        await refusal(write("loop.nix", "let f = x: f (x + 1); in { vms = f 0; }")),
        /could not be evaluated|timed out|infinite recursion|stack overflow/i,
      );
    });
  },
);
