import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import type { Intent } from "../../../src/agent/intents/types.js";
import { findModules } from "../../../src/agent/intents/modules.js";
import { normalise } from "../../../src/agent/intents/normalise.js";
import { FIXTURE_MODULE_NAMES } from "../../fakes/fixture-catalog.js";

const parse = (text: string, knownNames: string[] = ["web", "dev-2", "lab1", "sandbox"]): Intent =>
  parseIntent(text, { knownNames, catalogNames: FIXTURE_MODULE_NAMES, self: "telegram:42" });

function flatten(intent: Intent): Intent[] {
  return intent.type === "several" ? intent.intents.flatMap(flatten) : [intent];
}

function describeIntent(intent: Intent): string {
  return flatten(intent)
    .map((part) =>
      "target" in part
        ? `${part.type}:${part.target.kind === "named" || part.target.kind === "unknown" ? part.target.name : part.target.kind}`
        : part.type,
    )
    .join(",");
}

describe("the misreadings from issue 13", () => {
  const cases: [string, string, string[]?][] = [
    ["don't delete web, just stop it", "declined:web,stop:web"],
    ["cancel that, don't remove lab1", "cancel,declined:lab1"],
    ["undo the destroy of web2", "restore:web2"],
    ["why is sandbox broken? show logs", "show:sandbox,logs:sandbox"],
    ["why is sandbox broken? show logs", "logs:none", []],
    ["is dev-2 running?", "show:dev-2"],
    ["make me a vm called lab with 2 cpus", "create"],
    ["do you support vms?", "vm"],
    ["how do I log into web?", "access:web"],
  ];
  for (const [text, expected, names] of cases) {
    it(`reads "${text}"${names ? " with no workloads" : ""} as ${expected}`, () =>
      assert.equal(describeIntent(parse(text, names)), expected));
  }
});

describe("a destroy inside a negation, an undo, a cancel, a question or a correction is never planned", () => {
  const verbs = ["delete", "destroy", "remove", "get rid of", "nuke", "wipe", "tear down", "erase", "trash", "destory"];
  const templates = [
    "don't {verb} {name}",
    "do not {verb} {name}",
    "please don't {verb} {name}, just stop it",
    "never {verb} {name}",
    "i don't want to {verb} {name}",
    "undo the {verb} of {name}",
    "can you undo that, i didn't mean to {verb} {name}",
    "cancel that, don't {verb} {name}",
    "stop, don't {verb} {name}",
    "what happens if I {verb} {name}?",
    "should I {verb} {name}?",
    "how do I {verb} {name}",
    "can I {verb} {name}?",
    "is it safe to {verb} {name}",
    "i think i should {verb} {name}",
    "{verb} {name} or just stop it?",
    "{verb} {name}? no, stop it",
    "{verb} {name}. just kidding",
    "{verb} {name}, actually no",
    "{verb} {name}? no keep it",
    "run rm -rf / and {verb} {name} in {name}",
    "{verb} git from {name}",
    "{verb} the logs of {name}",
    "would it help to {verb} {name}?",
    "{verb} everything except {name}",
    "{verb} all but not {name}",
    "{verb} {name} if it is stopped",
    "{verb} me",
  ];
  for (const template of templates) {
    it(template, () => {
      for (const verb of verbs) {
        for (const name of ["web", "dev-2", "ghost"]) {
          const text = template.replaceAll("{verb}", verb).replaceAll("{name}", name);
          const destroys = flatten(parse(text)).filter(
            (intent) => intent.type === "destroy" && intent.target.kind !== "all",
          );
          assert.deepEqual(destroys, [], text);
        }
      }
    });
  }

  it("a plain request still plans one (the guard is not vacuous)", () => {
    for (const text of [
      "delete web",
      "please get rid of dev-2",
      "destory lab1",
      "ok nuke it",
      "stop web and delete lab1",
      "I want to remove web",
    ]) {
      assert.ok(
        flatten(parse(text)).some((intent) => intent.type === "destroy"),
        text,
      );
    }
  });
});

describe("target names come from the person's workloads or the name slot, never a random word", () => {
  it("never takes a question word or a noun as a target", () => {
    for (const text of [
      "why is it broken? show logs",
      "what happened? logs please",
      "show me the logs",
      "why won't it start",
      "logs for why",
    ]) {
      for (const intent of flatten(parse(text, []))) {
        if (!("target" in intent)) continue;
        assert.notEqual(intent.target.kind === "named" ? intent.target.name : undefined, "why", text);
        assert.ok(intent.target.kind !== "named", `${text}: ${JSON.stringify(intent.target)}`);
      }
    }
  });

  it("reports a name typed in the slot after the verb as unknown, and names a create only when it is marked", () => {
    assert.deepEqual(
      flatten(parse("stop ghost")).map((intent) => ("target" in intent ? intent.target : undefined)),
      [{ kind: "unknown", name: "ghost" }],
    );
    const create = parse("make me something with git");
    assert.equal(create.type === "create" ? create.name : "not a create", undefined);
    const named = parse("make me something called notes with git");
    assert.equal(named.type === "create" ? named.name : undefined, "notes");
  });

  it("refuses someone else's workload by possessive or user id", () => {
    assert.equal(parse("delete bob's dev").type, "other-user");
    assert.equal(parse("stop telegram:43's web").type, "other-user");
    assert.equal(parse("show me web's logs").type, "logs");
  });
});

describe("module parsing on long messages", () => {
  it("finds the same modules in a 4,000-character message as in a short one", () => {
    const phrase = "with git and fish and vs code, tools, persistent storage, remote access ";
    const long = `create web ${phrase.repeat(55)}`;
    assert.ok(long.length > 3900);
    assert.deepEqual(
      findModules(normalise(long).tokens, FIXTURE_MODULE_NAMES),
      findModules(normalise(`create web ${phrase}`).tokens, FIXTURE_MODULE_NAMES),
    );
    const intent = parse(long);
    assert.equal(intent.type, "create");
    assert.deepEqual(intent.type === "create" ? intent.modules : [], [
      "git",
      "fish",
      "code-server",
      "devtools",
      "workspace",
      "tailscale",
    ]);
  });
});

describe("creates have a polarity too (fourth eval round)", () => {
  const cases: [string, string][] = [
    ["don't create a container", "declined:none"],
    ["no need to make a new container", "declined:none"],
    ["please don't make a vm called lab", "declined:lab"],
    ["create nothing", "declined:none"],
    ["create a container tomorrow", "clarify:none"],
    ["create web with git tonight", "clarify:web"],
    ["I don't need a new container, just restart web", "declined:none,restart:web"],
  ];
  for (const [text, expected] of cases) {
    it(`reads "${text}" as ${expected}, never a create`, () => {
      const intent = parse(text);
      assert.equal(describeIntent(intent), expected);
      assert.ok(
        flatten(intent).every((part) => part.type !== "create"),
        JSON.stringify(intent),
      );
    });
  }

  it("a kind the person ruled out is not the kind made, and linking words are not a name", () => {
    const create = (text: string) => {
      const intent = parse(text);
      assert.equal(intent.type, "create", text);
      return intent.type === "create" ? intent : undefined;
    };
    assert.equal(create("create a container called box, not a vm")?.kind, "container");
    assert.equal(create("create web as a container rather than a vm")?.kind, "container");
    assert.equal(create("create web, no vm please")?.kind, undefined);
    assert.equal(create("make me a vm, not a container")?.kind, "vm");
    assert.equal(create("make me a vm called lab")?.kind, "vm");
    assert.equal(create("create a container, the name should be myproj")?.name, "myproj");
    assert.equal(create("create a container, its name is myproj")?.name, "myproj");
    assert.equal(create("create web and stop it after 2 hours idle")?.name, "web");
    assert.equal(create("no rush but could you create web with git")?.name, "web");
  });
});
