/**
 * argv builders for the host programs the nspawn backend runs. Pure functions, so the exact
 * command lines are unit-tested and shown by `--dry-run`.
 *
 * @module
 */

/** The packages the base image carries: systemd to boot, then what the supported modules need. */
export const BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "iproute2", "iputils-ping", "procps", "ca-certificates", "less"] as const;

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

/** `debootstrap` argv for a minimal Debian with systemd and the module packages. */
export function debootstrapArgs(options: { readonly suite: string; readonly mirror: string; readonly target: string }): string[] {
  return ["--variant=minbase", `--include=${basePackages().join(",")}`, options.suite, options.target, options.mirror];
}

/** What a container boot needs. */
export interface BootOptions {
  readonly name: string;
  readonly root: string;
  /** Container-side veth moved into the container, when networking is private. */
  readonly interfaceName?: string;
  readonly workspaceHostPath?: string;
}

/**
 * `systemd-nspawn` argv for booting a container as a supervised process on a host whose PID 1
 * may not be systemd: `--register=no` (no machined) and `--keep-unit` (no scope from the host's
 * systemd) keep it working without a host systemd; the console is only written to a log file.
 */
export function nspawnBootArgs(options: BootOptions): string[] {
  return [
    "--boot",
    `--directory=${options.root}`,
    `--machine=${options.name}`,
    "--register=no",
    "--keep-unit",
    "--console=read-only",
    "--resolv-conf=copy-host",
    "--timezone=copy",
    "--link-journal=no",
    ...(options.interfaceName === undefined ? [] : [`--network-interface=${options.interfaceName}`]),
    ...(options.workspaceHostPath === undefined ? [] : [`--bind=${options.workspaceHostPath}:/workspace`]),
  ];
}

/** The environment commands run with inside a container (`env -i` drops the host's). */
export function containerEnvironment(extra: Readonly<Record<string, string>> = {}): string[] {
  const base: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    USER: "root",
    LANG: "C.UTF-8",
    ...extra,
  };
  return Object.entries(base).map(([key, value]) => `${key}=${value}`);
}

/**
 * `nsenter` argv running `argv` inside the container as a transient service of the
 * container's own systemd (`systemd-run --wait`). Entering the namespaces alone would leave
 * the command in the host's cgroup, outside the container's memory and CPU limits; as a
 * service it runs in the container's cgroup, shows up in its journal, and `--wait` passes its
 * exit status back. `--pipe` connects the caller's stdio, `--pty` a terminal for shells.
 */
export function nsenterArgs(
  leader: number,
  argv: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly cwd?: string; readonly interactive?: boolean; readonly timeoutMs?: number } = {},
): string[] {
  const setenv = containerEnvironment(options.env).flatMap((pair) => ["--setenv", pair]);
  return [
    "--target",
    String(leader),
    "--all",
    "--wd",
    "--",
    "/usr/bin/env",
    "-i",
    ...containerEnvironment(),
    "systemd-run",
    "--wait",
    "--quiet",
    "--collect",
    options.interactive === true ? "--pty" : "--pipe",
    `--working-directory=${options.cwd ?? "/root"}`,
    // The container's systemd stops the command at the same deadline the host kills nsenter.
    ...(options.timeoutMs === undefined ? [] : [`--property=RuntimeMaxSec=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`]),
    ...setenv,
    "--",
    ...argv,
  ];
}

/** `journalctl` argv reading a stopped or running container's persistent journal from the host. */
export function journalArgs(journalDirectory: string, lines: number): string[] {
  return ["--directory", journalDirectory, "--lines", String(lines), "--output", "json", "--no-pager", "--quiet"];
}
