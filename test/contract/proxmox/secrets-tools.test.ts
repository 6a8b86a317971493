/**
 * The fleet steps' re-keying with `sops updatekeys` and `agenix -r`: the fake sops and agenix
 * (test/fakes/bin/secrets, modelling the real tools' arguments, exit codes and rewrites over the
 * REAL age and nix-instantiate) run through the real CommandRunner. The host's age recipient
 * is added (sops: to the matching creation rule of .sops.yaml; agenix: to the JSON file
 * secrets.nix reads), the tool rewrites the file, and the host's own identity can then read
 * the secret; a replaced key's recipient is dropped; a missing tool skips with a note naming
 * what to run; a failing tool fails the step.
 */
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import YAML from "yaml";
import { reencryptSecrets, type PinnedHost } from "../../../src/fleet/fleet-steps.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { FakeLogger } from "../../fakes/fake-logger.js";

const FAKE_TOOLS = fileURLToPath(new URL("../../fakes/bin/secrets", import.meta.url));
const HAVE_TOOLS =
  existsSync("/usr/bin/age") && existsSync("/usr/bin/age-keygen") && existsSync("/usr/bin/nix-instantiate");
const SECRET = "db-password=correct horse battery staple";
const withFakes = createCommandRunner({
  logger: new FakeLogger(),
  baseEnv: { ...process.env, PATH: `${FAKE_TOOLS}:${process.env.PATH ?? "/usr/bin:/bin"}` },
});
const withoutTools = createCommandRunner({
  logger: new FakeLogger(),
  baseEnv: { ...process.env, PATH: "/usr/bin:/bin" },
});

function keypair(dir: string, name: string): { identity: string; recipient: string } {
  const identity = join(dir, `${name}.agekey`);
  execFileSync("age-keygen", ["-o", identity], { stdio: "ignore" });
  return { identity, recipient: execFileSync("age-keygen", ["-y", identity], { encoding: "utf8" }).trim() };
}

function host(recipient: string, secrets: readonly string[]): PinnedHost {
  return { address: "192.0.2.10", port: 22, hostKey: "ssh-ed25519 AAAA", ageRecipient: recipient, secrets };
}

// A sops-shaped file: the value under a data key (AES-256-GCM), the data key wrapped for each recipient with age.
function sopsFile(file: string, recipients: readonly string[]): Buffer {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
  const data = Buffer.concat([cipher.update(SECRET, "utf8"), cipher.final()]);
  const value = `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${cipher.getAuthTag().toString("base64")},type:str]`;
  const age = recipients.map((recipient) => ({
    recipient,
    enc: execFileSync("age", ["--encrypt", "--armor", "--recipient", recipient], { input: dataKey, encoding: "utf8" }),
  }));
  writeFileSync(file, YAML.stringify({ db: value, sops: { age, version: "3.9.1" } }));
  return dataKey;
}

// What a holder of `identity` reads from the sops file (undefined when it cannot unwrap the data key).
function readSops(file: string, identity: string): string | undefined {
  const tree = YAML.parse(readFileSync(file, "utf8")) as { db: string; sops: { age: { enc: string }[] } };
  for (const entry of tree.sops.age) {
    let dataKey: Buffer;
    try {
      dataKey = execFileSync("age", ["--decrypt", "--identity", identity], {
        input: entry.enc,
        stdio: ["pipe", "pipe", "ignore"],
      });
    } catch {
      continue;
    }
    const [, data, iv, tag] = /data:([^,]+),iv:([^,]+),tag:([^,]+)/.exec(tree.db)!;
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(iv!, "base64"));
    decipher.setAuthTag(Buffer.from(tag!, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data!, "base64")), decipher.final()]).toString("utf8");
  }
  return undefined;
}

void describe(
  "re-keying secrets with sops and agenix",
  { skip: HAVE_TOOLS ? false : "needs age, age-keygen and nix-instantiate" },
  () => {
    void it("sops: adds the host to the matching creation rule, runs updatekeys --yes, drops a replaced key", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-sops-"));
      try {
        const admin = keypair(dir, "admin");
        const first = keypair(dir, "host-first");
        const second = keypair(dir, "host-second");
        mkdirSync(join(dir, "secrets"));
        const file = join(dir, "secrets", "lab.yaml");
        sopsFile(file, [admin.recipient]);
        writeFileSync(
          join(dir, ".sops.yaml"),
          `# the admin's rules\ncreation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: ${admin.recipient}\n  - age: ${admin.recipient}\n`,
        );
        const secrets = {
          identityFile: admin.identity,
          tool: "sops" as const,
          sopsConfig: join(dir, ".sops.yaml"),
          files: [file],
        };
        assert.equal(readSops(file, first.identity), undefined, "the host cannot read it before");

        const outcome = await reencryptSecrets(withFakes, secrets, [file], { lab: host(first.recipient, [file]) }, []);
        assert.deepEqual(outcome, { reencrypted: [file], notes: [] });
        const config = readFileSync(join(dir, ".sops.yaml"), "utf8");
        assert.match(config, /^# the admin's rules/, "the admin's comments are kept");
        assert.deepEqual(
          (YAML.parse(config) as { creation_rules: { age: string }[] }).creation_rules.map((rule) => rule.age),
          [`${admin.recipient},${first.recipient}`, admin.recipient],
        );
        assert.equal(readSops(file, first.identity), SECRET, "the host reads it after updatekeys");
        assert.equal(readSops(file, admin.identity), SECRET);

        // Nothing changed since: sops says "already up to date" and exits 0.
        assert.deepEqual(
          await reencryptSecrets(withFakes, secrets, [file], { lab: host(first.recipient, [file]) }, []),
          { reencrypted: [file], notes: [] },
        );

        // The host was reinstalled: the old recipient leaves, the new one joins.
        await reencryptSecrets(withFakes, secrets, [file], { lab: host(second.recipient, [file]) }, [first.recipient]);
        assert.equal(readSops(file, second.identity), SECRET);
        assert.equal(readSops(file, first.identity), undefined, "the replaced key can no longer read it");
        assert.ok(!readFileSync(join(dir, ".sops.yaml"), "utf8").includes(first.recipient));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it("sops: a missing sops skips with what to run; a wrong identity fails with sops' error", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-sops-"));
      try {
        const admin = keypair(dir, "admin");
        const stranger = keypair(dir, "stranger");
        const hostKeys = keypair(dir, "host");
        const file = join(dir, "lab.yaml");
        sopsFile(file, [admin.recipient]);
        const before = readFileSync(file, "utf8");
        writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${admin.recipient}\n`);
        const pinned = { lab: host(hostKeys.recipient, [file]) };

        const skipped = await reencryptSecrets(
          withoutTools,
          { identityFile: admin.identity, tool: "sops", sopsConfig: join(dir, ".sops.yaml"), files: [file] },
          [file],
          pinned,
          [],
        );
        assert.deepEqual(skipped.reencrypted, []);
        assert.match(
          skipped.notes.join("\n"),
          /sops is not installed; the host's recipient was added to .*\.sops\.yaml, so run "sops updatekeys .*lab\.yaml" there/,
        );
        assert.equal(readFileSync(file, "utf8"), before, "the file was not touched");
        assert.ok(readFileSync(join(dir, ".sops.yaml"), "utf8").includes(hostKeys.recipient));

        await assert.rejects(
          reencryptSecrets(
            withFakes,
            { identityFile: stranger.identity, tool: "sops", sopsConfig: join(dir, ".sops.yaml"), files: [file] },
            [file],
            pinned,
            [],
          ),
          (error: Error & { detail?: string }) =>
            /sops updatekeys failed for .*lab\.yaml \(exit 128\)/.test(error.message),
        );
        assert.equal(readFileSync(file, "utf8"), before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it("agenix: writes the hosts' recipients for secrets.nix, runs agenix -r -i, the host reads its file", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-agenix-"));
      try {
        const admin = keypair(dir, "admin");
        const hostKeys = keypair(dir, "host");
        const db = join(dir, "db.age");
        const other = join(dir, "other.age");
        for (const file of [db, other])
          execFileSync("age", ["--encrypt", "--recipient", admin.recipient, "-o", file], { input: SECRET });
        writeFileSync(
          join(dir, "secrets.nix"),
          `let\n  admin = "${admin.recipient}";\n  hosts = builtins.fromJSON (builtins.readFile ./voxnix-hosts.json);\n  for = name: [ admin ] ++ (hosts.\${name} or [ ]);\nin {\n  "db.age".publicKeys = for "db.age";\n  "other.age".publicKeys = for "other.age";\n}\n`,
        );
        const secrets = {
          identityFile: admin.identity,
          tool: "agenix" as const,
          agenixDirectory: dir,
          files: [db, other],
        };
        const outcome = await reencryptSecrets(withFakes, secrets, [db], { lab: host(hostKeys.recipient, [db]) }, []);
        assert.deepEqual(outcome, { reencrypted: [db], notes: [] });
        assert.deepEqual(JSON.parse(readFileSync(join(dir, "voxnix-hosts.json"), "utf8")), {
          "db.age": [hostKeys.recipient],
          "other.age": [],
        });
        assert.equal(
          execFileSync("age", ["--decrypt", "--identity", hostKeys.identity, db], { encoding: "utf8" }),
          SECRET,
        );
        assert.throws(
          () => execFileSync("age", ["--decrypt", "--identity", hostKeys.identity, other], { stdio: "ignore" }),
          "a file the host's entry does not list stays closed to it",
        );
        assert.equal(
          execFileSync("age", ["--decrypt", "--identity", admin.identity, other], { encoding: "utf8" }),
          SECRET,
        );

        const skipped = await reencryptSecrets(
          withoutTools,
          secrets,
          [db],
          { lab: host(hostKeys.recipient, [db]) },
          [],
        );
        assert.match(
          skipped.notes.join("\n"),
          /agenix is not installed; the hosts' recipients were written to .*voxnix-hosts\.json, so run "agenix -r" in /,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
