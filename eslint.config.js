// Lint: typescript-eslint's type-checked rules, plus the architecture's one hard rule:
// the core never imports adapters, backends, transports or child processes.
import { readdirSync } from "node:fs";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Dot-folders are local scratch space (and .ci holds shell only).
  { ignores: ["dist/**", "node_modules/**", "nix/**", "eslint.config.js", ".*/**"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      // node:test's describe/it return promises the runner tracks itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"],
            },
          ],
        },
      ],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/domain/**/*.ts", "src/ports/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/adapters/**", "**/backends/**", "**/agent/**", "**/app/**", "**/host/**"],
              message: "The core and domain must not depend on adapters, backends or wiring.",
            },
            {
              group: [
                "grammy",
                "@grammyjs/*",
                "hono",
                "commander",
                "ai",
                "@ai-sdk/*",
                "execa",
                "node:child_process",
                "child_process",
              ],
              message: "The core must not import transports or run processes.",
            },
          ],
        },
      ],
    },
  },
  ...runtimeFences(),
  ...dynamicImportFences(),
  {
    // Storage drivers, remote access and the shared runtime deps: the same outer fence as runtimes.
    files: ["src/backends/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/app/**"], message: "Drivers never import the app; their settings arrive in BackendDeps." },
            {
              group: ["**/adapters/**", "**/agent/**", "**/core/**"],
              message: "Drivers know nothing of transports, the agent or policy.",
            },
          ],
        },
      ],
    },
  },
  {
    // The agent turns words into core calls: it never reaches the database or the app's wiring.
    // (Evals assemble a throw-away installation of their own and are exempt.)
    files: ["src/agent/**/*.ts"],
    ignores: ["src/agent/evals/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/state/**", "better-sqlite3"],
              message:
                "The agent never touches the database; it goes through the core or a port (conversation rows come in as ConversationRows).",
            },
            {
              group: ["**/app/**"],
              message: "The agent never imports the app; it declares the settings it reads (agent/settings.ts).",
            },
            {
              group: ["**/adapters/**", "**/runtimes/**", "**/backends/**"],
              message: "The agent talks to the core, not to adapters or runtimes.",
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters translate transports into core calls and render outcomes: no ports, runtimes or drivers.
    files: ["src/adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/runtimes/**", "**/backends/**"],
              message: "Adapters never reach runtimes or drivers; they call the core.",
            },
            {
              group: ["**/core/operations/**", "**/core/run-operation*"],
              message: "Adapters call the Core interface, not operation files.",
            },
            {
              // Logger, clock and notice board are the process's utilities; everything else of a
              // port that adapters see comes re-exported from core/api.ts.
              group: ["**/ports/*", "!**/ports/logger*", "!**/ports/clock*", "!**/ports/notifier*"],
              message: "Adapters never import ports; take the types from core/api.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript (bin/, scripts/) is outside the TypeScript project: lint it without type information.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);

/**
 * Each runtime under src/runtimes/<name>/ may use the domain, ports, the host toolbox and the
 * shared runtime deps, never the app, adapters, the agent, the core, another runtime, or a
 * storage driver (a runtime asks the storage port for what it needs).
 *
 * The storage port's root volumes (`ports/root-volumes.ts`) and `workspacePath` gave the last
 * runtimes that reached a driver (nspawn's roots on the btrfs pool, nixos's ZFS workspace path
 * in a dry run) what they needed, so no runtime file is exempt (issue 9).
 */
function runtimeFences() {
  // Every folder under src/runtimes/ is a runtime: a new one is fenced without an edit here.
  const runtimes = readdirSync(new URL("./src/runtimes/", import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const patterns = (name) => [
    { group: ["**/app/**"], message: "Runtimes never import the app; their settings arrive in BackendDeps." },
    {
      group: ["**/adapters/**", "**/agent/**", "**/core/**"],
      message: "Runtimes know nothing of transports, the agent or policy.",
    },
    {
      // Any path segment naming another runtime: `../qemu/x.js`, and `../../qemu/x.js` from a subfolder.
      regex: `(^|/)(${runtimes.filter((other) => other !== name).join("|")})(/|$)`,
      message: "Runtimes never import each other; share code through src/host/ or src/domain/.",
    },
    {
      group: ["**/backends/storage/**"],
      message:
        "Runtimes never import a storage driver; they ask the storage port (shared host helpers live in src/host/).",
    },
  ];
  return runtimes.map((name) => ({
    files: [`src/runtimes/${name}/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { patterns: patterns(name) }] },
  }));
}

/**
 * `no-restricted-imports` sees only static imports, so a dynamic `import("../../app/…")` would
 * walk through every fence above. The inner layers have no reason to load their own code lazily:
 * a relative dynamic import there is refused, which keeps every dependency visible to the fences.
 * Adapters load their commands lazily (start-up time), so there only the fenced targets are refused.
 */
function dynamicImportFences() {
  return [
    {
      files: [
        "src/runtimes/**/*.ts",
        "src/backends/**/*.ts",
        "src/agent/**/*.ts",
        "src/core/**/*.ts",
        "src/domain/**/*.ts",
        "src/ports/**/*.ts",
      ],
      ignores: ["src/agent/evals/**"],
      rules: {
        "no-restricted-syntax": [
          "error",
          {
            selector: "ImportExpression[source.type='Literal'][source.value=/^\\./]",
            message:
              "Import this statically: the architecture's fences (no-restricted-imports) see only static imports.",
          },
        ],
      },
    },
    {
      files: ["src/adapters/**/*.ts"],
      rules: {
        "no-restricted-syntax": [
          "error",
          {
            selector:
              "ImportExpression[source.type='Literal'][source.value=/(^|\\/)(runtimes|backends)\\/|\\/core\\/(operations\\/|run-operation)/]",
            message: "Adapters never reach runtimes, drivers or operation files, lazily or not; they call the core.",
          },
        ],
      },
    },
  ];
}
