/** Container spec validation against the catalog, the backend and resource limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { validateContainerSpec, type SpecContext } from "../../../src/domain/spec.js";
import { createFixtureCatalog, FIXTURE_MODULE_NAMES } from "../../fakes/fixture-catalog.js";

const GiB = 1024 ** 3;
const context: SpecContext = {
  catalog: createFixtureCatalog(),
  backendModules: new Set(FIXTURE_MODULE_NAMES.filter((name) => name !== "devtools")),
  backendName: "fake",
  resources: {
    defaultCpus: 1,
    maxCpus: 4,
    defaultMemoryBytes: GiB,
    maxMemoryBytes: 8 * GiB,
    defaultPids: 512,
    maxPids: 4096,
  },
};

function issues(input: unknown): { path: string; message: string }[] {
  try {
    validateContainerSpec(input, context);
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    return error.issues.map((issue) => ({ ...issue }));
  }
  return assert.fail("expected InvalidInputError");
}

void describe("container specs", () => {
  void it("fills defaults: workspace on, default resources, no remote access", () => {
    const spec = validateContainerSpec({ name: "dev", modules: ["git", "fish"] }, context);
    assert.deepEqual(spec.modules, ["git", "fish", "workspace"]);
    assert.deepEqual(spec.workspace, { enabled: true });
    assert.deepEqual(spec.resources, { cpus: 1, memoryBytes: GiB, pids: 512 });
    assert.equal(spec.remoteAccess, false);
  });

  void it("an unknown module lists what is available", () => {
    const [issue] = issues({ name: "dev", modules: ["git", "emacs"] });
    assert.equal(issue?.path, "modules.1");
    assert.match(issue?.message ?? "", /no module called "emacs"/);
    assert.match(issue?.message ?? "", /code-server, devtools, env, fish, git, tailscale, workspace/);
  });

  void it("refuses duplicates", () => {
    const [issue] = issues({ name: "dev", modules: ["git", "git"] });
    assert.equal(issue?.path, "modules.1");
    assert.match(issue?.message ?? "", /listed twice/);
  });

  void it("refuses modules the backend cannot provide, listing what it can", () => {
    const [issue] = issues({ name: "dev", modules: ["devtools"] });
    assert.match(issue?.message ?? "", /fake backend cannot provide "devtools"/);
    assert.doesNotMatch(issue?.message.split("provide:")[1] ?? "", /devtools/);
  });

  void it("refuses conflicting modules", () => {
    const all = { ...context, backendModules: new Set(FIXTURE_MODULE_NAMES) };
    assert.throws(
      () => validateContainerSpec({ name: "dev", modules: ["devtools", "env"] }, all),
      /cannot be combined/,
    );
  });

  void it("fills module option defaults and validates given options", () => {
    const spec = validateContainerSpec({ name: "dev", modules: ["code-server"] }, context);
    assert.deepEqual({ ...spec.moduleOptions["code-server"] }, { port: 8080, auth: "password" });
    const custom = validateContainerSpec(
      { name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { port: 9000 } } },
      context,
    );
    assert.equal(custom.moduleOptions["code-server"]?.port, 9000);
    assert.deepEqual(
      issues({ name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { port: 80 } } })[0]?.path,
      "moduleOptions.code-server.port",
    );
    assert.match(
      issues({ name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { colour: "red" } } })[0]
        ?.message ?? "",
      /no option "colour"/,
    );
    assert.match(
      issues({ name: "dev", modules: ["git"], moduleOptions: { "code-server": { port: 9000 } } })[0]?.message ?? "",
      /not selected/,
    );
    assert.match(
      issues({ name: "dev", modules: ["env"], moduleOptions: { env: { shell: "Bad Shell" } } })[0]?.message ?? "",
      /must match/,
    );
  });

  void it("enforces resource maxima and reports every problem at once", () => {
    const found = issues({ name: "Bad_Name", resources: { cpus: 16, memory: "64G" }, modules: ["nope"] });
    const paths = found.map((issue) => issue.path).sort();
    assert.deepEqual(paths, ["modules.0", "name", "resources.cpus", "resources.memory"]);
    assert.match(found.find((issue) => issue.path === "resources.memory")?.message ?? "", /At most 8G/);
  });

  void it("refuses resources below the minimums, naming each minimum", () => {
    const found = issues({ name: "dev", resources: { cpus: 0.001, memory: "4K", pids: 8 } });
    const byPath = new Map(found.map((issue) => [issue.path, issue.message]));
    assert.match(byPath.get("resources.cpus") ?? "", /at least 0\.01 CPUs/);
    assert.match(byPath.get("resources.memory") ?? "", /at least 64M of memory/);
    assert.match(byPath.get("resources.pids") ?? "", /at least 16 processes/);
    assert.equal(found.length, 3);
    assert.equal(
      validateContainerSpec({ name: "dev", resources: { cpus: 0.01, memory: "64M", pids: 16 } }, context).resources
        .memoryBytes,
      64 * 1024 ** 2,
    );
  });

  void it("takes a pids limit, refusing more than the admin's maximum and fractions", () => {
    assert.equal(validateContainerSpec({ name: "dev", resources: { pids: 1024 } }, context).resources.pids, 1024);
    assert.match(issues({ name: "dev", resources: { pids: 5000 } })[0]?.message ?? "", /At most 4096 processes/);
    assert.equal(issues({ name: "dev", resources: { pids: 100.5 } })[0]?.path, "resources.pids");
  });

  void it("refuses __proto__, constructor and prototype as module or option names, leaving Object.prototype alone", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const asOption = JSON.parse(
        `{"name":"dev","modules":["code-server"],"moduleOptions":{"code-server":{"${key}":{"polluted":1}}}}`,
      ) as unknown;
      assert.match(issues(asOption)[0]?.message ?? "", new RegExp(`"${key}" is not allowed as an option name`));
      const asModule = JSON.parse(`{"name":"dev","moduleOptions":{"${key}":{"polluted":1}}}`) as unknown;
      assert.match(issues(asModule)[0]?.message ?? "", new RegExp(`"${key}" is not allowed as a module name`));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const spec = validateContainerSpec({ name: "dev", modules: ["code-server"] }, context);
    assert.equal(Object.getPrototypeOf(spec.moduleOptions), null, "option maps have no prototype");
    assert.equal(Object.getPrototypeOf(spec.moduleOptions["code-server"]), null);
  });

  void it("refuses a bad memory size with the field path", () => {
    const [issue] = issues({ name: "dev", resources: { memory: "lots" } });
    assert.equal(issue?.path, "resources.memory");
  });

  void it("remote access and the tailscale module agree", () => {
    assert.equal(validateContainerSpec({ name: "dev", remoteAccess: true }, context).remoteAccess, true);
    assert.ok(validateContainerSpec({ name: "dev", remoteAccess: true }, context).modules.includes("tailscale"));
    assert.equal(
      validateContainerSpec({ name: "dev", modules: ["tailscale"], remoteAccess: false }, context).remoteAccess,
      false,
    );
  });

  void it("no workspace removes the workspace module", () => {
    const spec = validateContainerSpec(
      { name: "dev", modules: ["workspace", "git"], workspace: { enabled: false } },
      context,
    );
    assert.deepEqual(spec.modules, ["git"]);
    assert.deepEqual(spec.workspace, { enabled: false });
  });

  void it("refuses malformed input with the field path", () => {
    assert.equal(issues({ name: 3 })[0]?.path, "name");
    assert.equal(issues({ name: "dev", modules: "git" })[0]?.path, "modules");
  });
});
