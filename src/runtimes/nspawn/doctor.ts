/**
 * `voxnix doctor` checks for the nspawn backend: every prerequisite with a fix, `ok` only when
 * containers can actually run (root, nspawn, perl for the confined exec and the device
 * program, ip, the base image).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { release } from "node:os";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import type { RuntimeConfig as Config } from "../../backends/deps.js";
import type { RootVolumes } from "../../ports/root-volumes.js";
import { runOk } from "../../host/commands.js";
import { doctorCheck, toolChecks, type RequiredTool } from "../../host/doctor-checks.js";
import { missingControllers } from "./cgroups.js";
import { enterSupported } from "./enter.js";
import { builtImage, currentImage } from "./image.js";
import type { NspawnPaths } from "./paths.js";

function userNamespacesAvailable(): boolean {
  try {
    return Number(readFileSync("/proc/sys/user/max_user_namespaces", "utf8").trim()) > 0;
  } catch {
    return false;
  }
}

/** Runs the checks. */
export async function nspawnDoctor(
  runner: CommandRunner,
  paths: NspawnPaths,
  config: Config,
  volumes: RootVolumes,
): Promise<DoctorCheck[]> {
  const root = process.getuid?.() === 0;
  const checks: DoctorCheck[] = [
    doctorCheck(
      "root",
      root,
      root ? "Running as root." : "systemd-nspawn, btrfs and bridges need root.",
      "Run voxnix as root (sudo), or use --dry-run to only plan.",
    ),
  ];
  const tools: RequiredTool[] = [
    { name: "systemd-nspawn", command: "systemd-nspawn", args: ["--version"], pkg: "systemd-container" },
    { name: "debootstrap", command: "debootstrap", args: ["--version"], pkg: "debootstrap" },
    // The confined exec's entry (enter.ts) and the cgroup v2 device program are fixed programs for the host's perl.
    { name: "perl", command: "perl", args: ["-v"], pkg: "perl-base" },
    { name: "iproute2", command: "ip", args: ["-V"], pkg: "iproute2" },
    { name: "journalctl", command: "journalctl", args: ["--version"], pkg: "systemd" },
  ];
  if (config.nspawn.nat) tools.push({ name: "iptables", command: "iptables", args: ["--version"], pkg: "iptables" });
  checks.push(
    ...(await toolChecks(runner, tools, { fix: (pkg) => `apt-get install -y ${pkg} (or run \`voxnix setup\`).` })),
  );
  const bridgeModule = await runOk(runner, "ip", ["link", "show", "type", "bridge"]);
  checks.push(
    doctorCheck(
      "bridge networking",
      bridgeModule,
      bridgeModule
        ? `Bridges work; containers use ${config.nspawn.bridge} on ${config.nspawn.subnet}.`
        : "The kernel cannot create bridges.",
      "modprobe bridge veth",
    ),
  );
  // Where the roots live is the storage port's (is the btrfs pool holding them mounted?).
  checks.push(...(await volumes.doctor()));
  const missing = missingControllers();
  checks.push(
    doctorCheck(
      "resource limits",
      missing.length === 0,
      missing.length === 0
        ? "Memory, CPU, process and device limits can be enforced (devices: the v1 allow-list and/or a cgroup v2 device program)."
        : `No cgroup controller for: ${missing.join(", ")}; containers would refuse to start.`,
      `Mount the ${missing.join(", ")} cgroup controller${missing.length > 1 ? "s" : ""} (cgroup v1), or boot the host with cgroup v2.`,
    ),
  );
  const namespaces = userNamespacesAvailable();
  checks.push(
    doctorCheck(
      "user namespaces",
      namespaces,
      namespaces
        ? "Each container gets its own user namespace (root inside is unprivileged on the host)."
        : "The kernel allows no user namespaces, so containers cannot start.",
      "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d).",
    ),
  );
  const entry = confinedExecAvailable();
  checks.push(
    doctorCheck(
      "confined exec",
      entry.ok,
      entry.ok
        ? "Exec and shells get the container's namespaces, bounding set and seccomp filters before any of its files runs."
        : entry.why,
      "Use an x86_64 or arm64 host with Linux 4.13 or newer (and CONFIG_CHECKPOINT_RESTORE, as Debian's and NixOS's kernels have).",
    ),
  );
  const image = currentImage(paths, config.nspawn.suite);
  const stale = image === undefined ? builtImage(paths, config.nspawn.suite) : undefined;
  checks.push(
    doctorCheck(
      "base image",
      image !== undefined,
      image
        ? `Debian ${image.suite} built ${image.builtAt} at ${image.path}.`
        : stale
          ? `The Debian ${config.nspawn.suite} base image (built ${stale.builtAt}) lacks packages this version adds (the first create would rebuild it, taking minutes).`
          : `No Debian ${config.nspawn.suite} base image yet (the first create would build it, taking minutes).`,
      "Run `voxnix images build` (or `voxnix setup`).",
    ),
  );
  return checks;
}

/** The entry (enter.ts) needs `TIOCGPTPEER` (Linux 4.13), `PTRACE_SECCOMP_GET_FILTER` and known system-call numbers. */
function confinedExecAvailable(): { readonly ok: true } | { readonly ok: false; readonly why: string } {
  if (!enterSupported()) return { ok: false, why: `No confined exec on ${process.arch}.` };
  const [major = 0, minor = 0] = release().split(/[.-]/).map(Number);
  if (major < 4 || (major === 4 && minor < 13))
    return { ok: false, why: `Linux ${release()} lacks TIOCGPTPEER (4.13), so exec cannot reach containers safely.` };
  return { ok: true };
}
