/**
 * The module catalog as voxnix uses it at run time: `nix/modules/catalog.json`, generated
 * from the Nix module library's metadata by `npm run catalog` and checked in, so start-up
 * reads one small file instead of evaluating Nix. A test keeps the file equal to the
 * evaluation, so a module added without regenerating fails CI.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { StaticModuleCatalog, type ModuleCatalog } from "../../domain/catalog.js";
import { HostFailureError } from "../../domain/errors.js";
import type { BackendDeps } from "../deps.js";

/** Where the catalog lives inside a voxnix source tree. */
export const CATALOG_RELATIVE_PATH = join("nix", "modules", "catalog.json");

const portSchema = z
  .object({
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(["tcp", "udp"]),
    description: z.string(),
    option: z.string().optional(),
  })
  .strict();

const optionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("port"), default: z.number().int().min(1).max(65535), description: z.string() }).strict(),
  z
    .object({
      type: z.literal("int"),
      default: z.number().int(),
      min: z.number().int().optional(),
      max: z.number().int().optional(),
      description: z.string(),
    })
    .strict(),
  z
    .object({ type: z.literal("string"), default: z.string(), pattern: z.string().optional(), description: z.string() })
    .strict(),
  z.object({ type: z.literal("boolean"), default: z.boolean(), description: z.string() }).strict(),
]);

const moduleInfoSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/),
    description: z.string().min(1),
    secrets: z.array(z.string()),
    conflicts: z.array(z.string()),
    ports: z.array(portSchema),
    options: z.record(z.string(), optionSchema),
  })
  .strict()
  .superRefine((module, context) => {
    for (const port of module.ports) {
      if (port.option !== undefined && !(port.option in module.options)) {
        context.addIssue({
          code: "custom",
          message: `port ${port.port} refers to option "${port.option}", which "${module.name}" does not declare`,
        });
      }
    }
  });

/** The JSON schema of catalog.json: a list of modules with unique names. */
export const catalogFileSchema = z.array(moduleInfoSchema).superRefine((modules, context) => {
  const seen = new Set<string>();
  for (const module of modules) {
    if (seen.has(module.name)) context.addIssue({ code: "custom", message: `module "${module.name}" is listed twice` });
    seen.add(module.name);
  }
});

/** Validates parsed catalog JSON; `source` names the file in the error. */
export function parseModuleCatalog(json: unknown, source: string): StaticModuleCatalog {
  const parsed = catalogFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    throw new HostFailureError(
      `The module catalog ${source} is corrupt; regenerate it with \`npm run catalog\`.`,
      problems,
    );
  }
  return new StaticModuleCatalog(parsed.data);
}

/** Reads and validates a catalog file. */
export function readModuleCatalog(path: string): StaticModuleCatalog {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new HostFailureError(
      `The module catalog ${path} cannot be read; is voxnix installed completely?`,
      String(error),
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HostFailureError(
      `The module catalog ${path} is not valid JSON; regenerate it with \`npm run catalog\`.`,
      String(error),
      {
        cause: error,
      },
    );
  }
  return parseModuleCatalog(json, path);
}

/**
 * Finds catalog.json: below `nixos.flakePath` when configured (the source the nixos backend
 * imports, so catalog and mkContainer always agree), otherwise in the nearest directory
 * above this file that holds one (works from src/ with tsx and from dist/ after a build).
 */
export function findCatalogFile(
  flakePath: string | undefined,
  startDirectory = dirname(fileURLToPath(import.meta.url)),
): string {
  if (flakePath !== undefined) return join(flakePath, CATALOG_RELATIVE_PATH);
  let directory = resolve(startDirectory);
  for (;;) {
    const candidate = join(directory, CATALOG_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new HostFailureError(
        `No module catalog (${CATALOG_RELATIVE_PATH}) was found above ${startDirectory}; set nixos.flakePath.`,
      );
    }
    directory = parent;
  }
}

/** Loads the module catalog for the configured voxnix source. */
export function loadModuleCatalog(deps: Pick<BackendDeps, "config">): ModuleCatalog {
  return readModuleCatalog(findCatalogFile(deps.config.nixos.flakePath));
}
