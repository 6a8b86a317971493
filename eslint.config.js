// Lint: typescript-eslint's type-checked rules, plus the architecture's one hard rule:
// the core never imports adapters, backends, transports or child processes.
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
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"] }] },
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
            { group: ["**/adapters/**", "**/backends/**", "**/agent/**", "**/app/**", "**/host/**"], message: "The core and domain must not depend on adapters, backends or wiring." },
            { group: ["grammy", "@grammyjs/*", "hono", "commander", "ai", "@ai-sdk/*", "execa", "node:child_process", "child_process"], message: "The core must not import transports or run processes." },
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
