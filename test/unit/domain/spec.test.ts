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
  resources: { defaultCpus: 1, maxCpus: 4, defaultMemoryBytes: GiB, maxMemoryBytes: 8 * GiB },
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
    assert.deepEqual(spec.resources, { cpus: 1, memoryBytes: GiB });
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
    assert.throws(() => validateContainerSpec({ name: "dev", modules: ["devtools", "env"] }, all), /cannot be combined/);
  });

  void it("fills module option defaults and validates given options", () => {
    const spec = validateContainerSpec({ name: "dev", modules: ["code-server"] }, context);
    assert.deepEqual(spec.moduleOptions["code-server"], { port: 8080 });
    const custom = validateContainerSpec({ name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { port: 9000 } } }, context);
    assert.equal(custom.moduleOptions["code-server"]?.port, 9000);
    assert.deepEqual(issues({ name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { port: 80 } } })[0]?.path, "moduleOptions.code-server.port");
    assert.match(issues({ name: "dev", modules: ["code-server"], moduleOptions: { "code-server": { colour: "red" } } })[0]?.message ?? "", /no option "colour"/);
    assert.match(issues({ name: "dev", modules: ["git"], moduleOptions: { "code-server": { port: 9000 } } })[0]?.message ?? "", /not selected/);
    assert.match(issues({ name: "dev", modules: ["env"], moduleOptions: { env: { shell: "Bad Shell" } } })[0]?.message ?? "", /must match/);
  });

  void it("enforces resource maxima and reports every problem at once", () => {
    const found = issues({ name: "Bad_Name", resources: { cpus: 16, memory: "64G" }, modules: ["nope"] });
    const paths = found.map((issue) => issue.path).sort();
    assert.deepEqual(paths, ["modules.0", "name", "resources.cpus", "resources.memory"]);
    assert.match(found.find((issue) => issue.path === "resources.memory")?.message ?? "", /At most 8G/);
  });

  void it("refuses a bad memory size with the field path", () => {
    const [issue] = issues({ name: "dev", resources: { memory: "lots" } });
    assert.equal(issue?.path, "resources.memory");
  });

  void it("remote access and the tailscale module agree", () => {
    assert.equal(validateContainerSpec({ name: "dev", remoteAccess: true }, context).remoteAccess, true);
    assert.ok(validateContainerSpec({ name: "dev", remoteAccess: true }, context).modules.includes("tailscale"));
    assert.equal(validateContainerSpec({ name: "dev", modules: ["tailscale"], remoteAccess: false }, context).remoteAccess, false);
  });

  void it("no workspace removes the workspace module", () => {
    const spec = validateContainerSpec({ name: "dev", modules: ["workspace", "git"], workspace: { enabled: false } }, context);
    assert.deepEqual(spec.modules, ["git"]);
    assert.deepEqual(spec.workspace, { enabled: false });
  });

  void it("refuses malformed input with the field path", () => {
    assert.equal(issues({ name: 3 })[0]?.path, "name");
    assert.equal(issues({ name: "dev", modules: "git" })[0]?.path, "modules");
  });
});
