/**
 * The fleet steps against real programs: a real OpenSSH server on loopback stands in for a
 * freshly booted VM. The install command runs over the real `ssh` client (argv with `{user}`,
 * `{address}` and `{name}` filled in); the host key is read with the real `ssh-keyscan` and
 * pinned; its age recipient lets the host's own private key (converted as ssh-to-age does)
 * decrypt the secrets the real `age` re-encrypted; the plaintext never appears in any
 * process's argv; a VM gets only the secrets its entry lists.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bech32 } from "@scure/base";
import { ageRecipientOf } from "../../src/domain/age-recipient.js";
import { parseDefinitions } from "../../src/fleet/definitions.js";
import { fingerprintOf, runFleetSteps, type FleetSettings } from "../../src/fleet/fleet-steps.js";
import { rekeyHost } from "../../src/fleet/rekey.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import type { ProgressEvent } from "../../src/ports/runtime.js";
import { FakeLogger } from "../fakes/fake-logger.js";

const SSHD = "/usr/sbin/sshd";
const HAVE_TOOLS = existsSync(SSHD) && existsSync("/usr/bin/age") && existsSync("/usr/bin/ssh-keyscan");
const SECRET = "db-password=correct horse battery staple";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The X25519 age identity of an unencrypted OpenSSH ed25519 private key (ssh-to-age -private-key). */
function ageIdentityOfOpenSshKey(pem: string): string {
  const body = Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  let offset = "openssh-key-v1\0".length;
  const string = () => {
    const length = body.readUInt32BE(offset);
    const value = body.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  string(); // cipher "none"
  string(); // kdf
  string(); // kdf options
  offset += 4; // number of keys
  string(); // public key
  const secret = string();
  offset = 0;
  const section = { body: secret };
  const read = () => {
    const length = section.body.readUInt32BE(offset);
    const value = section.body.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  offset = 8; // check ints
  read(); // key type
  read(); // public
  const privateKey = read(); // seed (32) || public (32)
  // X25519 scalar = first half of SHA-512(seed), as Ed25519 derives its own scalar (RFC 8032 §5.1.5).
  const scalar = createHash("sha512").update(privateKey.subarray(0, 32)).digest().subarray(0, 32);
  return bech32.encode("age-secret-key-", bech32.toWords(scalar), false).toUpperCase();
}

void describe(
  "proxmox fleet steps over real SSH and age",
  { skip: HAVE_TOOLS ? false : "needs openssh-server, openssh-client and age" },
  () => {
    void it("installs over ssh, pins the host key, and re-encrypts only the listed secrets for the host", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-fleet-"));
      let sshd: ChildProcess | undefined;
      try {
        // The "VM": sshd with its own ed25519 host key, root logins by key only.
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "host_key")]);
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "admin", "-f", join(dir, "admin_key")]);
        writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "admin_key.pub")));
        const port = await freePort();
        writeFileSync(
          join(dir, "sshd_config"),
          [
            `HostKey ${join(dir, "host_key")}`,
            `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "StrictModes no",
            "UsePAM no",
            `PidFile ${join(dir, "sshd.pid")}`,
          ].join("\n") + "\n",
        );
        mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
        sshd = spawn(
          SSHD,
          ["-D", "-e", "-f", join(dir, "sshd_config"), "-p", String(port), "-o", "ListenAddress=127.0.0.1"],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const open = await new Promise<boolean>((resolve) => {
            const socket = createServer()
              .listen(port, "127.0.0.1", () => socket.close(() => resolve(false)))
              .on("error", () => resolve(true));
          });
          if (open) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }

        // The admin's age identity; two secrets encrypted to it; only one is listed for the VM.
        execFileSync("age-keygen", ["-o", join(dir, "admin.agekey")], { stdio: "ignore" });
        const adminRecipient = execFileSync("age-keygen", ["-y", join(dir, "admin.agekey")], {
          encoding: "utf8",
        }).trim();
        writeFileSync(join(dir, "recipients.txt"), `${adminRecipient}\n`);
        for (const name of ["db.age", "other.age"])
          execFileSync("age", ["-r", adminRecipient, "-o", join(dir, name)], { input: `${SECRET} (${name})` });
        const otherBefore = readFileSync(join(dir, "other.age"));

        const settings: FleetSettings = {
          nixosCommand: [
            "ssh",
            "-p",
            String(port),
            "-i",
            join(dir, "admin_key"),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            `UserKnownHostsFile=${join(dir, "scratch_known_hosts")}`,
            "-o",
            "BatchMode=yes",
            "{user}@{address}",
            "echo installed {name} > ",
            join(dir, "installed"),
          ],
          nixosTimeoutMs: 30_000,
          sshUser: "root",
          sshPort: port,
          knownHostsFile: join(dir, "pins", "known_hosts"),
          secrets: {
            identityFile: join(dir, "admin.agekey"),
            recipientsFile: join(dir, "recipients.txt"),
            files: [join(dir, "db.age"), join(dir, "other.age")],
          },
        };
        const [vm] = parseDefinitions(
          `vms:\n  - { name: lab, owner: "telegram:42", nixos: true, secrets: ["${join(dir, "db.age")}"] }\n`,
          "vms.yaml",
        ).vms;
        const events: ProgressEvent[] = [];
        const logger = new FakeLogger();
        const seenArgv: string[] = [];
        const runner = createCommandRunner({ logger });
        const recording = {
          ...runner,
          run: (command: string, args: readonly string[], options: Parameters<typeof runner.run>[2]) => (
            seenArgv.push([command, ...args].join(" ")),
            runner.run(command, args, options)
          ),
        };
        const result = await runFleetSteps(recording, settings, vm!, "127.0.0.1", (event) => void events.push(event));

        // The install ran over the real ssh with the placeholders filled in.
        assert.equal(readFileSync(join(dir, "installed"), "utf8").trim(), "installed lab");
        // The host key is the server's, pinned in known_hosts.
        const hostKey = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
        assert.equal(result.hostKey, hostKey);
        assert.equal(readFileSync(settings.knownHostsFile, "utf8").trim(), `[127.0.0.1]:${port} ${hostKey}`);
        assert.equal(result.ageRecipient, ageRecipientOf(hostKey));
        assert.deepEqual(result.reencrypted, [join(dir, "db.age")]);
        assert.deepEqual(result.notes, []);

        // The host's own private key (as ssh-to-age converts it) decrypts its secret; the admin's still does.
        writeFileSync(
          join(dir, "host.agekey"),
          `${ageIdentityOfOpenSshKey(readFileSync(join(dir, "host_key"), "utf8"))}\n`,
          { mode: 0o600 },
        );
        assert.equal(
          execFileSync("age", ["-d", "-i", join(dir, "host.agekey"), join(dir, "db.age")], { encoding: "utf8" }),
          `${SECRET} (db.age)`,
        );
        assert.equal(
          execFileSync("age", ["-d", "-i", join(dir, "admin.agekey"), join(dir, "db.age")], { encoding: "utf8" }),
          `${SECRET} (db.age)`,
        );
        // The file it was not given is untouched, and the host cannot read it.
        assert.deepEqual(readFileSync(join(dir, "other.age")), otherBefore);
        assert.throws(() =>
          execFileSync("age", ["-d", "-i", join(dir, "host.agekey"), join(dir, "other.age")], { stdio: "pipe" }),
        );

        // The secret never was an argument, a log record or a left-over file.
        assert.ok(!seenArgv.some((line) => line.includes("correct horse")), seenArgv.join("\n"));
        assert.ok(!JSON.stringify(logger.records).includes("correct horse"));
        assert.deepEqual(
          readdirSync(dir).filter((name) => name.includes(".voxnix-")),
          [],
        );
        assert.ok(events.some((event) => event.type === "step" && /Re-encrypting/.test(event.message)));
      } finally {
        sshd?.kill("SIGTERM");
        rmSync(dir, { recursive: true, force: true });
      }
    });

    // The install command stands in for nixos-anywhere --extra-files: it puts the key from
    // {extraFiles} in place and starts the "installed" host's sshd with it (or, `ignoreKey`, with another key).
    async function installWithExtraFiles(dir: string, ignoreKey: boolean) {
      const port = await freePort();
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "other_key")]);
      writeFileSync(
        join(dir, "sshd_config"),
        [
          `HostKey ${join(dir, "host_key")}`,
          "PasswordAuthentication no",
          "UsePAM no",
          "StrictModes no",
          `PidFile ${join(dir, "sshd.pid")}`,
        ].join("\n") + "\n",
      );
      mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
      const script = ignoreKey
        ? 'test -s "$1/etc/ssh/ssh_host_ed25519_key" && cp "$2/other_key" "$2/host_key" && /usr/sbin/sshd -f "$2/sshd_config" -p "$3" -o ListenAddress=127.0.0.1'
        : 'install -m 600 "$1/etc/ssh/ssh_host_ed25519_key" "$2/host_key" && /usr/sbin/sshd -f "$2/sshd_config" -p "$3" -o ListenAddress=127.0.0.1';
      const settings: FleetSettings = {
        nixosCommand: ["/bin/sh", "-c", script, "nixos-anywhere", "{extraFiles}", dir, String(port)],
        nixosTimeoutMs: 30_000,
        sshUser: "root",
        sshPort: port,
        knownHostsFile: join(dir, "pins", "known_hosts"),
      };
      const [vm] = parseDefinitions(`vms:\n  - { name: lab, owner: "telegram:42", nixos: true }\n`, "vms.yaml").vms;
      const runner = createCommandRunner({ logger: new FakeLogger() });
      const stop = () => {
        if (existsSync(join(dir, "sshd.pid")))
          process.kill(Number(readFileSync(join(dir, "sshd.pid"), "utf8").trim()), "SIGTERM");
      };
      return { settings, vm: vm!, runner, stop };
    }

    void it("with {extraFiles}, generates the host key before the install and pins exactly that key", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-fleet-pin-"));
      const { settings, vm, runner, stop } = await installWithExtraFiles(dir, false);
      try {
        const result = await runFleetSteps(runner, settings, vm, "127.0.0.1", () => undefined);
        const installed = execFileSync("ssh-keygen", ["-y", "-f", join(dir, "host_key")], { encoding: "utf8" })
          .trim()
          .split(" ")
          .slice(0, 2)
          .join(" ");
        assert.equal(
          result.hostKey,
          installed,
          "the pinned key is the one voxnix generated and the install put in place",
        );
        assert.equal(result.ageRecipient, ageRecipientOf(installed));
        assert.equal(
          readFileSync(settings.knownHostsFile, "utf8").trim(),
          `[127.0.0.1]:${settings.sshPort} ${installed}`,
        );
        assert.deepEqual(
          readdirSync(join(dir, "pins")).filter((name) => name.startsWith("pending-")),
          [],
          "the generated private key was deleted after the install",
        );
      } finally {
        stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it("with {extraFiles}, a host showing another key is refused with both fingerprints and nothing is pinned", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-fleet-mismatch-"));
      const { settings, vm, runner, stop } = await installWithExtraFiles(dir, true);
      try {
        const shown = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "other_key.pub")], { encoding: "utf8" }).split(
          " ",
        )[1]!;
        await assert.rejects(
          runFleetSteps(runner, settings, vm, "127.0.0.1", () => undefined),
          (error: Error) => {
            assert.match(
              error.message,
              /is not the one voxnix generated for it: expected SHA256:\S+, the host showed SHA256:/,
            );
            assert.ok(error.message.includes(shown), `names the key the host showed (${shown})`);
            return true;
          },
        );
        assert.equal(existsSync(settings.knownHostsFile), false, "nothing was pinned");
        assert.deepEqual(
          readdirSync(join(dir, "pins")).filter((name) => name.startsWith("pending-")),
          [],
        );
      } finally {
        stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it("rekey: a changed host key is refused until its fingerprint is accepted, then its secrets are re-encrypted for the new key only", async () => {
      const dir = mkdtempSync(join(tmpdir(), "voxnix-fleet-rekey-"));
      const { settings: base, vm, runner, stop } = await installWithExtraFiles(dir, false);
      execFileSync("age-keygen", ["-o", join(dir, "admin.agekey")], { stdio: "ignore" });
      const adminRecipient = execFileSync("age-keygen", ["-y", join(dir, "admin.agekey")], { encoding: "utf8" }).trim();
      writeFileSync(join(dir, "recipients.txt"), `${adminRecipient}\n`);
      execFileSync("age", ["-r", adminRecipient, "-o", join(dir, "db.age")], { input: SECRET });
      const settings: FleetSettings = {
        ...base,
        secrets: {
          identityFile: join(dir, "admin.agekey"),
          recipientsFile: join(dir, "recipients.txt"),
          files: [join(dir, "db.age")],
        },
      };
      const entry = { ...vm, secrets: [join(dir, "db.age")] };
      try {
        const first = await runFleetSteps(runner, settings, entry, "127.0.0.1", () => undefined);
        writeFileSync(
          join(dir, "old.agekey"),
          `${ageIdentityOfOpenSshKey(readFileSync(join(dir, "host_key"), "utf8"))}\n`,
          { mode: 0o600 },
        );
        assert.equal(
          execFileSync("age", ["-d", "-i", join(dir, "old.agekey"), join(dir, "db.age")], { encoding: "utf8" }),
          SECRET,
        );
        assert.equal((await rekeyHost(runner, settings, "lab")).changed, false, "an unchanged key re-keys nothing");

        // "Reinstall": the host comes back with a new key.
        stop();
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "new_key")]);
        execFileSync("cp", [join(dir, "new_key"), join(dir, "host_key")]);
        execFileSync("/usr/sbin/sshd", [
          "-f",
          join(dir, "sshd_config"),
          "-p",
          String(settings.sshPort),
          "-o",
          "ListenAddress=127.0.0.1",
        ]);
        const newFingerprint = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "new_key.pub")], {
          encoding: "utf8",
        }).split(" ")[1]!;
        const before = readFileSync(join(dir, "db.age"));
        await assert.rejects(
          rekeyHost(runner, settings, "lab"),
          (error: Error) =>
            error.message.includes(fingerprintOf(first.hostKey!)) &&
            error.message.includes(newFingerprint) &&
            /--accept/.test(error.message),
        );
        await assert.rejects(
          rekeyHost(runner, settings, "lab", fingerprintOf(first.hostKey!)),
          /not the fingerprint you accepted/,
        );
        assert.deepEqual(readFileSync(join(dir, "db.age")), before, "refused re-keys change nothing");
        assert.ok(
          readFileSync(settings.knownHostsFile, "utf8").includes(first.hostKey!),
          "the old pin stays until accepted",
        );

        const report = await rekeyHost(runner, settings, "lab", newFingerprint);
        assert.equal(report.changed, true);
        assert.deepEqual(report.reencrypted, [join(dir, "db.age")]);
        assert.ok(
          !readFileSync(settings.knownHostsFile, "utf8").includes(first.hostKey!),
          "the old key is no longer pinned",
        );
        writeFileSync(
          join(dir, "new.agekey"),
          `${ageIdentityOfOpenSshKey(readFileSync(join(dir, "new_key"), "utf8"))}\n`,
          { mode: 0o600 },
        );
        assert.equal(
          execFileSync("age", ["-d", "-i", join(dir, "new.agekey"), join(dir, "db.age")], { encoding: "utf8" }),
          SECRET,
          "the new key decrypts",
        );
        assert.equal(
          execFileSync("age", ["-d", "-i", join(dir, "admin.agekey"), join(dir, "db.age")], { encoding: "utf8" }),
          SECRET,
          "the admin still does",
        );
        assert.throws(
          () => execFileSync("age", ["-d", "-i", join(dir, "old.agekey"), join(dir, "db.age")], { stdio: "pipe" }),
          "the old key no longer does",
        );
      } finally {
        stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it("refuses a secret the admin did not configure, before running anything", async () => {
      const settings: FleetSettings = {
        nixosTimeoutMs: 1000,
        sshUser: "root",
        sshPort: 22,
        knownHostsFile: "/nonexistent/known_hosts",
        secrets: { identityFile: "/x", files: ["/etc/allowed.age"] },
      };
      const [vm] = parseDefinitions(
        `vms:\n  - { name: lab, owner: "telegram:42", nixos: true, secrets: ["/etc/shadow"] }\n`,
        "vms.yaml",
      ).vms;
      const runner = createCommandRunner({ logger: new FakeLogger() });
      let ran = 0;
      const counting = {
        ...runner,
        run: (...args: Parameters<typeof runner.run>) => ((ran += 1), runner.run(...args)),
      };
      await assert.rejects(
        runFleetSteps(counting, settings, vm!, "127.0.0.1", () => undefined),
        /not in proxmox\.fleet\.secrets\.files/,
      );
      assert.equal(ran, 0);
    });
  },
);
