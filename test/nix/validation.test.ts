/**
 * Every `voxnix:` throw of mkContainer's spec validation, triggered by a bad variant of the
 * basic sample spec and read back from nix-instantiate's error output.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { evalError, evalJson, nixString, nixTestDirectory, repoRoot, withSpecFile } from "./nix.js";

const basic = JSON.parse(readFileSync(join(nixTestDirectory, "specs", "basic.json"), "utf8")) as Record<string, unknown>;
// Reads only the container's plain attributes, so a failure can only come from validation.
const probe = (specFile: string) =>
  `let r = import ${nixString(join(repoRoot, "nix/lib/extra-container.nix"))} { specFile = ${nixString(specFile)}; }; in builtins.mapAttrs (n: c: c.privateNetwork) r.containers`;

function failureOf(spec: unknown): string {
  return withSpecFile(spec, (specFile) => evalError(probe(specFile)));
}
function without(field: string): Record<string, unknown> {
  const copy = { ...basic };
  delete copy[field];
  return copy;
}

const cases: [string, unknown, string][] = [
  ["a non-object spec", [1, 2], "voxnix: the container spec must be a JSON object"],
  ["missing fields", without("resources"), "voxnix: container spec is missing required fields: resources"],
  ["several missing fields", { version: 1 }, "voxnix: container spec is missing required fields: name, owner, modules, resources, network, autoStart"],
  ["unknown fields", { ...basic, privileged: true }, "voxnix: container spec has unknown fields: privileged"],
  ["an unsupported version", { ...basic, version: 2 }, "voxnix: unsupported spec version 2; this voxnix reads version 1"],
  ["a non-string name", { ...basic, name: 7 }, "voxnix: spec.name must be a string"],
  ["an upper-case name", { ...basic, name: "Dev" }, "voxnix: spec.name 'Dev' is not a valid container name"],
  ["a too long name", { ...basic, name: "abcdefghijkl" }, "voxnix: spec.name 'abcdefghijkl' is not a valid container name"],
  ["a name with a trailing hyphen", { ...basic, name: "dev-" }, "is not a valid container name"],
  ["an owner with a quote", { ...basic, owner: 'x"; rm -rf /' }, "voxnix: spec.owner must be a string of 1-128 characters"],
  ["modules not a list", { ...basic, modules: "git" }, "voxnix: spec.modules must be a list of strings"],
  ["an unknown module", { ...basic, modules: ["git", "emacs"] }, "voxnix: unknown module 'emacs'. Available: code-server, devtools, env, fish, git, tailscale, workspace"],
  ["a duplicated module", { ...basic, modules: ["git", "git", "workspace"] }, "voxnix: spec.modules lists 'git' more than once"],
  ["options for an unselected module", { ...basic, moduleOptions: { "code-server": { port: 9000 } } }, "voxnix: spec.moduleOptions has options for 'code-server', which is not selected"],
  ["moduleOptions not an object of objects", { ...basic, moduleOptions: { git: 3 } }, "voxnix: spec.moduleOptions must be an object of objects"],
  ["an unknown option", { ...basic, moduleOptions: { git: { colour: true } } }, "voxnix: module 'git' has no option 'colour'. Its options: defaultBranch"],
  ["a port out of range", { ...basic, modules: ["code-server"], workspace: null, moduleOptions: { "code-server": { port: 70000 } } }, "voxnix: option code-server.port must be a port number (1-65535)"],
  ["a string option of the wrong type", { ...basic, moduleOptions: { git: { defaultBranch: 5 } } }, "voxnix: option git.defaultBranch must be a string"],
  ["a string option breaking its pattern", { ...basic, moduleOptions: { git: { defaultBranch: "a b" } } }, "voxnix: option git.defaultBranch must match ^[A-Za-z0-9._/-]{1,64}$"],
  ["a string option with a newline", { ...basic, moduleOptions: { git: { defaultBranch: "main\nx" } } }, "voxnix: option git.defaultBranch contains a forbidden character"],
  ["a boolean option of the wrong type", { ...basic, modules: ["tailscale"], workspace: null, tailscale: { authKeyFile: "/k" }, moduleOptions: { tailscale: { ssh: "yes" } } }, "voxnix: option tailscale.ssh must be true or false"],
  ["workspace selected without a host path", { ...basic, workspace: null }, "voxnix: module 'workspace' is selected but spec.workspace.hostPath is missing"],
  ["a relative workspace path", { ...basic, workspace: { hostPath: "tank/x" } }, "voxnix: spec.workspace.hostPath must be an absolute path"],
  ["a workspace path with ..", { ...basic, workspace: { hostPath: "/tank/../etc" } }, "voxnix: spec.workspace.hostPath must be an absolute path without '..'"],
  ["a workspace path with a space", { ...basic, workspace: { hostPath: "/tank/a b" } }, "voxnix: spec.workspace.hostPath must be an absolute path"],
  ["zero CPUs", { ...basic, resources: { cpus: 0, memoryBytes: 1073741824 } }, "voxnix: spec.resources.cpus must be a number from 0.01 to 1024"],
  ["too few processes", { ...basic, resources: { cpus: 1, memoryBytes: 1073741824, pids: 8 } }, "voxnix: spec.resources.pids must be a whole number from 16 to 4194304"],
  ["CPUs as a string", { ...basic, resources: { cpus: "2", memoryBytes: 1073741824 } }, "voxnix: spec.resources.cpus must be a number"],
  ["too little memory", { ...basic, resources: { cpus: 1, memoryBytes: 1024 } }, "voxnix: spec.resources.memoryBytes must be a whole number of bytes, at least 67108864 (64 MiB)"],
  ["fractional memory", { ...basic, resources: { cpus: 1, memoryBytes: 1073741824.5 } }, "voxnix: spec.resources.memoryBytes must be a whole number"],
  ["resources not an object", { ...basic, resources: 4 }, "voxnix: spec.resources must be an object"],
  ["a bad bridge name", { ...basic, network: { hostBridge: "br vox; x" } }, "voxnix: spec.network.hostBridge must be an interface name"],
  ["a too long bridge name", { ...basic, network: { hostBridge: "a-very-long-bridge" } }, "voxnix: spec.network.hostBridge must be an interface name"],
  ["tailscale without its auth key file", { ...basic, modules: ["tailscale"], workspace: null, tailscale: null }, "voxnix: module 'tailscale' is selected but spec.tailscale.authKeyFile is missing"],
  ["tailscale with a relative key path", { ...basic, modules: ["tailscale"], workspace: null, tailscale: { authKeyFile: "key" } }, "voxnix: spec.tailscale.authKeyFile must be an absolute path"],
  ["tailscale with a bad hostname", { ...basic, modules: ["tailscale"], workspace: null, tailscale: { authKeyFile: "/k", hostname: "Bad_Name" } }, "voxnix: spec.tailscale.hostname must be a DNS label"],
  ["env without its host file", { ...basic, modules: ["env"], workspace: null, env: null }, "voxnix: module 'env' is selected but spec.env.hostFile is missing"],
  ["an env file path with a quote", { ...basic, modules: ["env"], workspace: null, env: { hostFile: '/x"y' } }, "voxnix: spec.env.hostFile must be an absolute path"],
  ["autoStart not a boolean", { ...basic, autoStart: "yes" }, "voxnix: spec.autoStart must be true or false"],
];

void describe("mkContainer validation messages", () => {
  for (const [label, spec, message] of cases) {
    void it(`rejects ${label}`, () => {
      const error = failureOf(spec);
      assert.ok(error.includes(message), `expected "${message}" in:\n${error}`);
    });
  }

  void it("accepts the unmodified sample (so the failures above come from the changes)", () => {
    withSpecFile(basic, (specFile) => assert.deepEqual(evalJson(probe(specFile)), { dev: true }));
  });

  void it("reports conflicts declared in module metadata", () => {
    // The library has no conflicting pair today, so check the rule on a temporary library.
    const expression = `
      let
        library = { a = /dev/null; b = /dev/null; };
        metadata = [
          { name = "a"; conflicts = [ "b" ]; options = { }; ports = [ ]; }
          { name = "b"; conflicts = [ ]; options = { }; ports = [ ]; }
        ];
        validate = import ${nixString(join(repoRoot, "nix/lib/validate.nix"))} { inherit library metadata; };
      in validate (builtins.fromJSON ${nixString(JSON.stringify({ ...basic, modules: ["a", "b"], workspace: null }))})`;
    const error = evalError(expression);
    assert.ok(error.includes("voxnix: module 'a' cannot be combined with 'b'"), error);
  });
});
