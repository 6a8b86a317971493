/**
 * The previous generation of a container's definition, pinned for a change's rollback.
 *
 * extra-container installs a definition as two symlinks into the Nix store (the container's
 * conf file in `/etc/nixos-containers` and its unit in the mutable systemd directory) with GC
 * roots on those symlinks, so an update leaves the old store paths unrooted: the next garbage
 * collection may take them, and rebuilding "the previous spec" later may give a different
 * generation (another nixpkgs or voxnix source). Before an update the backend therefore reads
 * the two store paths installed now and roots them under its state directory; a rollback links
 * exactly those paths back in with `extra-container create DIR` (a directory holding
 * `etc/…` links, which extra-container installs without building, see its CLI contract in
 * docs/nixos-backend.md). One pin per container: the generation before its last change.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, rm, symlink, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import { commandFailure, outputDetail, runHost } from "../../host/commands.js";
import type { NixosContext } from "./context.js";
import { confPath } from "./context.js";
import { EXTRA_CONTAINER } from "./extra-container-cli.js";

/** The store paths one installed definition consists of (host paths, `/nix/store/…`). */
export interface Generation {
  readonly conf: string;
  readonly service: string;
}

/** A pinned generation and the change it was pinned for. */
export interface Pin extends Generation {
  /** Digest of the spec the pinned generation was built from. */
  readonly from: string;
  /** Digest of the spec the change installed over it. */
  readonly to: string;
  /** The container ran when the change began: a rollback starts it again. */
  readonly wasRunning: boolean;
}

/** Where systemd units are installed: `/etc/systemd-mutable/system` on NixOS, else `/usr/lib/systemd/system`. */
const UNIT_DIRECTORIES = [join("etc", "systemd-mutable", "system"), join("usr", "lib", "systemd", "system")];
const STORE_PATH = /^\/nix\/store\/[0-9a-z]{32}-[^/]+$/;

/** The digest a pin names a spec by (its rendered spec.json). */
export function specDigest(specJson: string): string {
  return createHash("sha256").update(specJson).digest("hex");
}

function pinDirectory(context: NixosContext, name: string): string {
  return join(context.deps.stateDir, "nixos", "generations", name);
}

/** A path under the host root as the host names it ("/nix/store/…"). */
function hostPath(context: NixosContext, path: string): string | undefined {
  const inside = relative(context.hostRoot, path);
  if (inside.startsWith("..")) return undefined;
  return `/${inside.split(sep).join("/")}`;
}

async function storeTarget(context: NixosContext, link: string): Promise<string | undefined> {
  try {
    const target = hostPath(context, await realpath(link));
    return target !== undefined && STORE_PATH.test(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The generation installed for `name` now, or undefined when its definition is not two store paths. */
export async function installedGeneration(context: NixosContext, name: string): Promise<Generation | undefined> {
  const conf = await storeTarget(context, confPath(context, name));
  if (conf === undefined) return undefined;
  for (const directory of UNIT_DIRECTORIES) {
    const service = await storeTarget(context, join(context.hostRoot, directory, `container@${name}.service`));
    if (service !== undefined) return { conf, service };
  }
  return undefined;
}

/**
 * Roots `generation` (`nix-store --realise PATH --add-root LINK --indirect`, as for prebuilt
 * images) and records it as the one to go back to. False when it could not be pinned: the
 * rollback then rebuilds the previous spec, as before.
 */
export async function pinGeneration(
  context: NixosContext,
  name: string,
  generation: Generation,
  pin: Omit<Pin, keyof Generation>,
): Promise<boolean> {
  const directory = pinDirectory(context, name);
  try {
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true, mode: 0o700 });
    for (const [file, path] of [
      ["conf", generation.conf],
      ["service", generation.service],
    ] as const) {
      const result = await runHost(
        context.deps.runner,
        "nix-store",
        ["--realise", path, "--add-root", join(directory, file), "--indirect"],
        {
          action: `Keeping the previous definition of "${name}" for a rollback`,
          timeoutMs: context.commandTimeoutMs,
        },
      );
      if (result.exitCode !== 0) throw new HostFailureError(`nix-store could not root ${path}`, outputDetail(result));
    }
    await writeFile(join(directory, "pin.json"), `${JSON.stringify({ ...generation, ...pin }, null, 2)}\n`, {
      mode: 0o600,
    });
    return true;
  } catch (error) {
    context.logger.warn(
      { workload: name, error: String(error) },
      "the previous generation could not be pinned; a rollback rebuilds it",
    );
    await rm(directory, { recursive: true, force: true }).catch(() => undefined);
    return false;
  }
}

/** The pin of `name` when it is the one a change from `to` back to `from` should install, else undefined. */
export async function pinFor(context: NixosContext, name: string, from: string, to: string): Promise<Pin | undefined> {
  try {
    const pin = JSON.parse(await readFile(join(pinDirectory(context, name), "pin.json"), "utf8")) as Partial<Pin>;
    if (pin.from !== from || pin.to !== to || typeof pin.conf !== "string" || typeof pin.service !== "string")
      return undefined;
    if (!STORE_PATH.test(pin.conf) || !STORE_PATH.test(pin.service)) return undefined;
    return { conf: pin.conf, service: pin.service, from, to, wasRunning: pin.wasRunning === true };
  } catch {
    return undefined;
  }
}

/**
 * Installs the pinned generation again: `extra-container create DIR [--start --restart-changed]`
 * where DIR/etc links to the pinned store paths. Nothing is built. Checks afterwards that the
 * installed conf file is the pinned one.
 */
export async function installPinned(
  context: NixosContext,
  name: string,
  pin: Pin,
  signal?: AbortSignal,
): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "voxnix-nixos-generation-"));
  try {
    const etc = join(directory, "etc");
    await mkdir(join(etc, "systemd", "system"), { recursive: true });
    await mkdir(join(etc, "nixos-containers"), { recursive: true });
    await symlink(join(context.hostRoot, pin.service), join(etc, "systemd", "system", `container@${name}.service`));
    await symlink(join(context.hostRoot, pin.conf), join(etc, "nixos-containers", `${name}.conf`));
    const result = await runHost(
      context.deps.runner,
      EXTRA_CONTAINER,
      ["create", directory, ...(pin.wasRunning ? ["--start", "--restart-changed"] : [])],
      {
        action: `Installing the previous definition of "${name}"`,
        timeoutMs: context.createTimeoutMs,
        ...(signal ? { signal } : {}),
      },
    );
    if (result.exitCode !== 0) throw commandFailure(`Installing the previous definition of "${name}"`, result);
  } finally {
    await rm(directory, { recursive: true, force: true }).catch(() => undefined);
  }
  const installed = await installedGeneration(context, name);
  if (installed?.conf !== pin.conf) {
    throw new HostFailureError(
      `extra-container finished but "${name}" does not have its previous definition (${pin.conf}) installed.`,
    );
  }
}

/** Forgets the pin of `name` and its GC roots (after a destroy). */
export async function dropPin(context: NixosContext, name: string): Promise<void> {
  await rm(pinDirectory(context, name), { recursive: true, force: true });
}
