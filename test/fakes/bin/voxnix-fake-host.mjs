#!/usr/bin/env node
// The built voxnix CLI (dist/bundle/cli/main.js, the code `voxnix` runs) over the fake NixOS
// host programs: the same `runCli` as bin/voxnix.js, with the nixos backend reading the host's
// files under $FAKE_HOST_ROOT instead of /. Put test/fakes/bin/nixos first on PATH and set
// VOXNIX_BACKEND=nixos. For contract tests only: nothing in voxnix itself can select this.
import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = process.env.FAKE_HOST_ROOT;
if (!root) {
  process.stderr.write("voxnix-fake-host: FAKE_HOST_ROOT is not set\n");
  process.exit(99);
}
const bundle = join(fileURLToPath(new URL("../../..", import.meta.url)), "dist", "bundle", "cli", "main.js");
const { runCli, processIo } = await import(pathToFileURL(bundle).href);
process.exitCode = await runCli(process.argv.slice(2), processIo(), { nixosHostRoot: root });
