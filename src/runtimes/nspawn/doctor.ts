/**
 * `voxnix doctor` checks for the nspawn backend: every prerequisite with a fix, `ok` only when
 * containers can actually run (root, nspawn, nsenter, ip, the base image).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import type { RuntimeConfig as Config } from "../../backends/deps.js";
import { poolMounted } from "../../backends/storage/btrfs/pool.js";
import { resolveBtrfsPaths } from "../../backends/storage/btrfs/paths.js";
import { runOk } from "../../host/commands.js";
import { missingControllers } from "./cgroups.js";
import { currentImage } from "./image.js";
import type { NspawnPaths } from "./paths.js";

function check(name: string, ok: boolean, detail: string, fix: string): DoctorCheck {
  return ok ? { name, ok, detail } : { name, ok, detail, fix };
}

function userNamespacesAvailable(): boolean {
  try {
    return Number(readFileSync("/proc/sys/user/max_user_namespaces", "utf8").trim()) > 0;
  } catch {
    return false;
  }
}

/** Runs the checks. */
export async function nspawnDoctor(runner: CommandRunner, paths: NspawnPaths, config: Config, stateDir: string): Promise<DoctorCheck[]> {
  const root = process.getuid?.() === 0;
  const checks: DoctorCheck[] = [
    check("root", root, root ? "Running as root." : "systemd-nspawn, btrfs and bridges need root.", "Run voxnix as root (sudo), or use --dry-run to only plan."),
  ];
  const tools: [string, string, readonly string[], string][] = [
    ["systemd-nspawn", "systemd-nspawn", ["--version"], "systemd-container"],
    ["debootstrap", "debootstrap", ["--version"], "debootstrap"],
    ["nsenter", "nsenter", ["--version"], "util-linux"],
    ["iproute2", "ip", ["-V"], "iproute2"],
    ["journalctl", "journalctl", ["--version"], "systemd"],
  ];
  if (config.nspawn.nat) tools.push(["iptables", "iptables", ["--version"], "iptables"]);
  const present = await Promise.all(tools.map(([, command, args]) => runOk(runner, command, args)));
  tools.forEach(([name, command, , pkg], index) => {
    const ok = present[index] === true;
    checks.push(check(name, ok, ok ? `${command} is installed.` : `${command} is missing.`, `apt-get install -y ${pkg} (or run \`voxnix setup\`).`));
  });
  const bridgeModule = await runOk(runner, "ip", ["link", "show", "type", "bridge"]);
  checks.push(check("bridge networking", bridgeModule, bridgeModule ? `Bridges work; containers use ${config.nspawn.bridge} on ${config.nspawn.subnet}.` : "The kernel cannot create bridges.", "modprobe bridge veth"));
  if (paths.onBtrfsPool) {
    const mounted = poolMounted(resolveBtrfsPaths({ config, stateDir }));
    checks.push(check("container storage", mounted, mounted ? `Container roots are btrfs snapshots under ${paths.root}.` : `The btrfs pool holding ${paths.root} is not mounted.`, "Run `voxnix setup`."));
  }
  const missing = missingControllers();
  checks.push(
    check(
      "resource limits",
      missing.length === 0,
      missing.length === 0 ? "Memory, CPU, process and device limits can be enforced." : `No cgroup controller for: ${missing.join(", ")}; containers would refuse to start.`,
      `Mount the ${missing.join(", ")} cgroup controller${missing.length > 1 ? "s" : ""} (cgroup v1), or boot the host with cgroup v2.`,
    ),
  );
  const namespaces = userNamespacesAvailable();
  checks.push(
    check(
      "user namespaces",
      namespaces,
      namespaces ? "Each container gets its own user namespace (root inside is unprivileged on the host)." : "The kernel allows no user namespaces, so containers cannot start.",
      "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d).",
    ),
  );
  const image = currentImage(paths, config.nspawn.suite);
  checks.push(
    check(
      "base image",
      image !== undefined,
      image ? `Debian ${image.suite} built ${image.builtAt} at ${image.path}.` : `No Debian ${config.nspawn.suite} base image yet (the first create would build it, taking minutes).`,
      "Run `voxnix images build` (or `voxnix setup`).",
    ),
  );
  return checks;
}
