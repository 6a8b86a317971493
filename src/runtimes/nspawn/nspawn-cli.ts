/**
 * argv builders for the host programs the nspawn backend runs. Pure functions, so the exact
 * command lines are unit-tested and shown by `--dry-run`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { SessionCommand } from "../../ports/runtime.js";

/**
 * The packages the base image carries: systemd to boot, then what the supported modules need.
 * `openssh-sftp-server` and `rsync` are the remote halves of `sftp`/`scp` and `rsync -e ssh`
 * through the SSH gateway: both run the program of that name inside the workload.
 */
export const BASE_PACKAGES = [
  "systemd",
  "systemd-sysv",
  "dbus",
  "iproute2",
  "iputils-ping",
  "procps",
  "ca-certificates",
  "less",
  "openssh-sftp-server",
  "rsync",
] as const;

/** Debian packages per module the backend realises. */
export const MODULE_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  git: ["git"],
  fish: ["fish"],
  devtools: ["ripgrep", "jq", "direnv", "curl", "fd-find", "tree", "htop", "vim-tiny"],
  workspace: [],
};

/** Every package in the base image, sorted and without duplicates. */
export function basePackages(): string[] {
  return [...new Set([...BASE_PACKAGES, ...Object.values(MODULE_PACKAGES).flat()])].sort();
}

/**
 * Bump when `customiseImage` changes what it writes into an image, so cached images rebuild.
 * A change of the package list needs no bump: the recipe hashes the list itself.
 */
export const IMAGE_FORMAT = 1;

/**
 * The key of a base image's contents: a short hash of the package list and the image format.
 * A cached image (the appliance's, or the tests' shared download) built from another recipe
 * is stale and is built again, so adding a package reaches existing installations.
 */
export function imageRecipe(): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: IMAGE_FORMAT, packages: basePackages() }))
    .digest("hex")
    .slice(0, 12);
}

/** `debootstrap` argv for a minimal Debian with systemd and the module packages. */
export function debootstrapArgs(options: {
  readonly suite: string;
  readonly mirror: string;
  readonly target: string;
}): string[] {
  return ["--variant=minbase", `--include=${basePackages().join(",")}`, options.suite, options.target, options.mirror];
}

/** What a container boot needs. */
export interface BootOptions {
  readonly name: string;
  readonly root: string;
  /** Container-side veth moved into the container, when networking is private. */
  readonly interfaceName?: string;
  readonly workspaceHostPath?: string;
  /** Host files bind-mounted read-only into the container (hostname, network, modules). */
  readonly files?: readonly { readonly hostPath: string; readonly containerPath: string }[];
  /** The container's stable UUID (32 hex digits); its systemd derives the machine id from it. */
  readonly uuid?: string;
}

/**
 * `systemd-nspawn` argv for booting a container as a supervised process on a host whose PID 1
 * may not be systemd: `--register=no` (no machined) and `--keep-unit` (no scope from the host's
 * systemd) keep it working without a host systemd. `--console=passive` gives the container a
 * terminal nobody reads: with `read-only`, everything written to `/dev/console` landed in a
 * host file without limit (measured: 49 MB in 3 s of `yes > /dev/console`), a way to fill the
 * host's disk outside every quota. nspawn's own messages still go to the console log.
 *
 * Isolation: `--private-users=pick` gives the container its own user namespace with a free
 * 64K range of host ids, so root inside is an unprivileged id on the host and its capabilities
 * stop at the container's namespaces. `--private-users-ownership=auto` maps the root's
 * ownership with an idmapped mount where the file system supports it (no chown, so existing
 * roots migrate on their next start for free), else chowns it once. The workspace and the boot
 * files are idmapped binds, so files owned by root on the host are root's inside.
 */
export function nspawnBootArgs(options: BootOptions): string[] {
  return [
    "--boot",
    `--directory=${options.root}`,
    `--machine=${options.name}`,
    "--register=no",
    "--keep-unit",
    "--console=passive",
    "--private-users=pick",
    "--private-users-ownership=auto",
    "--resolv-conf=copy-host",
    "--timezone=copy",
    "--link-journal=no",
    ...(options.uuid === undefined ? [] : [`--uuid=${options.uuid}`]),
    ...(options.interfaceName === undefined ? [] : [`--network-interface=${options.interfaceName}`]),
    ...(options.workspaceHostPath === undefined ? [] : [`--bind=${options.workspaceHostPath}:/workspace:idmap`]),
    ...(options.files ?? []).map((file) => `--bind-ro=${file.hostPath}:${file.containerPath}:idmap`),
  ];
}

/** The environment commands run with inside a container. */
export function containerEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    USER: "root",
    LANG: "C.UTF-8",
    ...extra,
  };
}

/** The shell `ctl shell` opens: the fish module's fish, else bash, as a login shell. */
export function loginShell(spec: { readonly modules: readonly string[] }): string[] {
  return spec.modules.includes("fish") ? ["/usr/bin/fish", "--login"] : ["/bin/bash", "--login"];
}

/** The program an attach runs for `command`: the login shell, the shell with `-c` (as OpenSSH does), the argv itself, or the SFTP server. */
export function sessionArgv(spec: { readonly modules: readonly string[] }, command: SessionCommand): string[] {
  const shell = loginShell(spec);
  switch (command.kind) {
    case "shell":
      return shell;
    case "exec":
      return [shell[0]!, "-c", command.command];
    case "argv":
      return [...command.argv];
    case "sftp":
      return [SFTP_SERVER];
  }
}

/** Debian's SFTP server (package openssh-sftp-server, in the base image). */
export const SFTP_SERVER = "/usr/lib/openssh/sftp-server";

/** `journalctl` argv reading a stopped container's journal files (each checked by `journalFiles`) from the host. */
export function journalArgs(files: readonly string[], lines: number): string[] {
  return [
    ...files.flatMap((file) => ["--file", file]),
    "--lines",
    String(lines),
    "--output",
    "json",
    "--no-pager",
    "--quiet",
  ];
}
