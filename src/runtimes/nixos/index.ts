/**
 * The `nixos` container backend: NixOS containers built and installed with extra-container
 * from a JSON spec, run with nixos-container, observed through machinectl and journalctl.
 * See docs/nixos-backend.md.
 *
 * @module
 */
import { requireContainerSpec } from "../../domain/spec.js";
import type { BackendDeps } from "../../backends/deps.js";
import type { Runtime } from "../../ports/runtime.js";
import { createContainer, destroyContainer, planCreate, startContainer, stopContainer } from "./backend.js";
import { changeContainer } from "./change.js";
import { type NixosRuntimeOptions, createContext } from "./context.js";
import { buildImages, doctorChecks } from "./host.js";
import { attachToContainer } from "./attach.js";
import { containerLogs, execInContainer, listContainers, showContainer } from "./queries.js";

export type { NixosRuntimeOptions } from "./context.js";

/** Creates the nixos backend. `options` exist for tests (a fake host root) and odd hosts. */
export function createNixosRuntime(deps: BackendDeps, options: NixosRuntimeOptions = {}): Runtime {
  const context = createContext(deps, options);
  const modules = new Set(deps.catalog.list().map((module) => module.name));
  return {
    info: () => ({
      name: "nixos",
      kind: "container",
      modules,
      capabilities: {
        exec: true,
        interactiveShell: true,
        console: false,
        remoteAccess: true,
        liveResize: false,
        rootVolume: "managed",
      },
    }),
    plan: (spec, host) => planCreate(context, requireContainerSpec(spec), host),
    create: (spec, host) => createContainer(context, requireContainerSpec(spec), host),
    start: (name, host) => startContainer(context, name, host),
    change: (_name, spec, options) => changeContainer(context, requireContainerSpec(spec), options),
    stop: (name, options) => stopContainer(context, name, options.onProgress),
    destroy: (name, options) => destroyContainer(context, name, options.onProgress),
    list: () => listContainers(context),
    show: (name) => showContainer(context, name),
    logs: (name, options) => containerLogs(context, name, options.lines),
    exec: (name, argv, options) => execInContainer(context, name, argv, options),
    attach: (name, options) => attachToContainer(context, name, options),
    doctor: () => doctorChecks(context),
    buildImages: (options) => buildImages(context, options.onProgress, options.signal),
  };
}
