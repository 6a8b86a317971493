/**
 * A fixed module catalog for tests, shaped like the one the Nix module library describes:
 * git, fish, workspace, tailscale, code-server (option `port`, default 8080), devtools, env.
 *
 * @module
 */
import { StaticModuleCatalog, type ModuleInfo } from "../../src/domain/catalog.js";

/** The fixture modules. `devtools` conflicts with `env` so conflict rules can be tested. */
export const FIXTURE_MODULES: readonly ModuleInfo[] = [
  { name: "git", description: "Git with sensible defaults.", secrets: [], conflicts: [], ports: [], options: {} },
  {
    name: "fish",
    description: "The fish shell as the login shell.",
    secrets: [],
    conflicts: [],
    ports: [],
    options: {},
  },
  {
    name: "workspace",
    description: "A persistent /workspace directory.",
    secrets: [],
    conflicts: [],
    ports: [],
    options: {},
  },
  {
    name: "tailscale",
    description: "Private remote access over Tailscale.",
    secrets: ["tailscale-auth-key"],
    conflicts: [],
    ports: [],
    options: {},
  },
  {
    name: "code-server",
    description: "VS Code in the browser.",
    secrets: [],
    conflicts: [],
    ports: [{ port: 8080, protocol: "tcp", description: "code-server web UI", option: "port" }],
    options: {
      port: { type: "port", default: 8080, description: "Port code-server listens on." },
      auth: { type: "string", default: "password", pattern: "^(password|none)$", description: "password or none." },
    },
  },
  {
    name: "devtools",
    description: "Compilers and build tools.",
    secrets: [],
    conflicts: ["env"],
    ports: [],
    options: {},
  },
  {
    name: "env",
    description: "Extra environment variables.",
    secrets: [],
    conflicts: ["devtools"],
    ports: [],
    options: { shell: { type: "string", default: "fish", pattern: "^[a-z]+$", description: "Default shell name." } },
  },
];

/** Names of all fixture modules. */
export const FIXTURE_MODULE_NAMES: readonly string[] = FIXTURE_MODULES.map((module) => module.name);

/** A fresh catalog over the fixture modules. */
export function createFixtureCatalog(): StaticModuleCatalog {
  return new StaticModuleCatalog(FIXTURE_MODULES);
}
