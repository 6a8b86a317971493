/**
 * `voxnix setup [--yes]`: takes a fresh Debian or Ubuntu machine (as root) to one that runs
 * containers with the nspawn backend: installs missing host packages with apt-get (output
 * shown), creates and mounts the btrfs pool, builds the Debian base image with progress, and
 * prints what it did and the doctor's verdict. Idempotent: a second run only checks.
 *
 * `voxnix ctl autostart` starts every workload whose owner last asked for it to run but that
 * is not running (after a host reboot); run it at boot (see docs/nspawn.md).
 *
 * @module
 */
import { HostFailureError, InvalidInputError } from "../../../domain/errors.js";
import type { App } from "../../../app/app.js";
import type { DoctorCheck, ProgressEvent } from "../../../core/api.js";
import type { CliContext, ProgressDisplay, RegisterCommand } from "../context.js";

/** The host command runner the app was built with (setup installs Debian packages through it). */
type CommandRunner = App["runner"];
import { EXIT } from "../exit-codes.js";
import { commandGroup } from "../groups.js";

/** Debian packages the nspawn backend needs on the host, with the program each provides. */
export const HOST_PACKAGES: readonly { readonly pkg: string; readonly program: string }[] = [
  { pkg: "systemd-container", program: "systemd-nspawn" },
  { pkg: "debootstrap", program: "debootstrap" },
  { pkg: "btrfs-progs", program: "mkfs.btrfs" },
  { pkg: "iproute2", program: "ip" },
  { pkg: "iptables", program: "iptables" },
  { pkg: "perl-base", program: "perl" },
];

async function missingPackages(runner: CommandRunner): Promise<string[]> {
  const missing: string[] = [];
  for (const { pkg } of HOST_PACKAGES) {
    const result = await runner
      .run("dpkg-query", ["-W", "-f=${Status}", pkg], { timeoutMs: 30_000 })
      .catch(() => undefined);
    if (result === undefined || result.exitCode !== 0 || !result.stdout.includes("install ok installed"))
      missing.push(pkg);
  }
  return missing;
}

function lineSink(display: ProgressDisplay): (stream: "stdout" | "stderr", chunk: string) => void {
  let pending = "";
  return (_stream, chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") display.log(line.trim());
  };
}

/** Asks once on a terminal (Enter means yes); without a terminal, or on "no", nothing is installed and the error says how. */
async function askToInstall(context: CliContext, missing: readonly string[]): Promise<void> {
  const ask = context.io.ask;
  if (ask === undefined) {
    throw new InvalidInputError([
      {
        path: "yes",
        message: `These host packages are missing: ${missing.join(" ")}. Run \`voxnix setup --yes\` to install them with apt-get.`,
      },
    ]);
  }
  const answer = (
    await ask(`These host packages are missing: ${missing.join(" ")}.\nInstall them with apt-get now? [Y/n] `)
  )
    .trim()
    .toLowerCase();
  if (answer === "" || answer === "y" || answer === "yes") return;
  throw new InvalidInputError([
    {
      path: "yes",
      message: `Nothing was installed or changed. Run \`voxnix setup --yes\` when you want ${missing.join(" ")} installed.`,
    },
  ]);
}

async function installPackages(context: CliContext, runner: CommandRunner, packages: readonly string[]): Promise<void> {
  const display = await context.progress(`Installing ${packages.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  try {
    const update = await runner.run("apt-get", ["update"], {
      timeoutMs: 15 * 60_000,
      env,
      onOutput: lineSink(display),
    });
    if (update.exitCode !== 0)
      throw new HostFailureError(
        "apt-get update failed; check the network and /etc/apt/sources.list.",
        update.stderr.slice(-1000),
      );
    const install = await runner.run("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
      timeoutMs: 30 * 60_000,
      env,
      onOutput: lineSink(display),
    });
    if (install.exitCode !== 0)
      throw new HostFailureError(`apt-get install ${packages.join(" ")} failed.`, install.stderr.slice(-1000));
    display.end("succeeded", `Installed ${packages.join(" ")}`);
  } catch (error) {
    display.end("failed", "Installing host packages failed");
    throw error;
  }
}

function failing(checks: readonly DoctorCheck[], name: string): boolean {
  return checks.some((check) => check.name === name && !check.ok);
}

async function runSetup(context: CliContext): Promise<void> {
  const { actor, dryRun, yes } = context.globals();
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !dryRun) {
    context.warn("voxnix setup needs root: it installs packages, creates a btrfs file system and a network bridge.");
    context.warn("Run it with sudo, or try `voxnix --dry-run ctl create …` to see plans without touching the host.");
    context.setExitCode(EXIT.failed);
    return;
  }
  const app = await context.app();
  const done: string[] = [];
  const missing = await missingPackages(app.runner);
  if (dryRun) {
    const checks = (await app.core.doctor(actor)).checks;
    const plan = [
      missing.length > 0 ? `install ${missing.join(" ")} with apt-get` : "host packages: all present",
      `prepare ${app.storage.info().name} storage`,
      failing(checks, "base image") ? "build the base image (debootstrap, a few minutes)" : "base image: already built",
    ];
    context.output({ dryRun: true, missingPackages: missing, plan }, () => [
      "Dry run: nothing was changed. Setup would:",
      ...plan.map((step) => `  - ${step}`),
    ]);
    return;
  }
  if (missing.length > 0) {
    if (!yes) await askToInstall(context, missing);
    await installPackages(context, app.runner, missing);
    done.push(`installed ${missing.join(" ")}`);
  } else {
    done.push("host packages already present");
  }
  await app.storage.ensureReady();
  done.push(
    `${app.storage.info().name} storage ready${app.storage.info().quotas ? " (per-user quotas enforced)" : " (quotas NOT enforced)"}`,
  );
  const before = (await app.core.doctor(actor)).checks;
  if (failing(before, "base image")) {
    const display = await context.progress("Building the base image");
    try {
      const report = await app.core.buildImages(actor, {
        onProgress: (event: ProgressEvent) =>
          event.type === "step" ? display.update(event.message) : display.log(event.line),
      });
      display.end("succeeded", "Base image built");
      done.push(...report.images.map((image) => `built ${image.name}: ${image.detail}`));
    } catch (error) {
      display.end("failed", "Building the base image failed");
      throw error;
    }
  } else {
    done.push("base image already built");
  }
  const report = await app.core.doctor(actor);
  const problems = report.checks.filter((check) => !check.ok);
  context.output({ done, doctor: report }, () => [
    "Setup:",
    ...done.map((step) => `  - ${step}`),
    report.ok ? "This host can run containers. Try: voxnix chat" : "Still missing:",
    ...problems.map((check) => `  - ${check.name}: ${check.detail}${check.fix ? ` Fix: ${check.fix}` : ""}`),
  ]);
  if (!report.ok) context.setExitCode(EXIT.failed);
}

async function runAutostart(context: CliContext): Promise<void> {
  const { actor, dryRun } = context.globals();
  const { core } = await context.app();
  if (dryRun) {
    context.planned(await core.plan(actor, { operation: "autostart" }));
    return;
  }
  const report = await core.autostart(actor);
  // `failed` keeps its documented shape: "name: reason" lines.
  const failed = report.failed.map((failure) => `${failure.workload}: ${failure.reason}`);
  context.output({ started: report.started, failed }, () => [
    report.started.length > 0 ? `Started ${report.started.join(", ")}.` : "Nothing to start.",
    ...failed.map((line) => `Could not start ${line}`),
  ]);
  if (failed.length > 0) context.setExitCode(EXIT.failed);
}

/** Registers `voxnix setup` and `voxnix ctl autostart`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("setup")
    .description(
      "Prepare this machine to run containers: host packages, btrfs storage, base image (root; --yes to install packages unasked)",
    )
    .action(() => runSetup(context));
  commandGroup(program, "ctl")
    .command("autostart")
    .description("Start every workload that should be running but is not (run at boot; admins start everyone's)")
    .action(() => runAutostart(context));
};
