/**
 * Checks on the raw configuration that the zod schema alone words badly: secrets written
 * inline (refused, pointing to the `*File` key, without echoing the value) and unknown keys
 * (named in full, with the nearest known key as a suggestion).
 *
 * @module
 */
import type { z } from "zod";
import { configSchema } from "./config-schema.js";

/** One problem found in the raw configuration: the dotted key and what is wrong. */
export interface RawConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Inline secret keys and the `*File` key that replaces each. */
const INLINE_SECRETS: Readonly<Record<string, string>> = {
  "telegram.token": "telegram.tokenFile",
  "telegram.webhook.secret": "telegram.webhook.secretFile",
  "llm.apiKey": "llm.apiKeyFile",
  "tailscale.authKey": "tailscale.oauthClientSecretFile",
  "tailscale.oauthClientSecret": "tailscale.oauthClientSecretFile",
  "proxmox.tokenSecret": "proxmox.tokenSecretFile",
};

// Any other key named like a secret (and not a `…File` path) is refused the same way.
const SECRET_NAME = /(token|secret|password|passphrase|apikey|authkey|credential)s?$/i;

/**
 * Issues for secrets written into the configuration itself. Secrets belong in files readable
 * only by voxnix (agenix, systemd credentials), never in a config that is printed, committed
 * or copied into the Nix store.
 */
export function inlineSecretIssues(raw: Record<string, unknown>): RawConfigIssue[] {
  const issues: RawConfigIssue[] = [];
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      const fileKey = INLINE_SECRETS[path] ?? (SECRET_NAME.test(key) ? `${path}File` : undefined);
      if (fileKey !== undefined) {
        issues.push({
          path,
          message: `secrets are never written in the configuration; put it in a file only voxnix can read and set ${fileKey} to that file's path.`,
        });
        continue;
      }
      visit((value as Record<string, unknown>)[key], path, depth + 1);
    }
  };
  visit(raw, "", 0);
  return issues;
}

/** Zod's issues, with each unknown key reported at its own full path and a suggestion. */
export function describeSchemaIssues(issues: readonly z.core.$ZodIssue[]): RawConfigIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code !== "unrecognized_keys") return [{ path, message: issue.message }];
    const known = knownKeys(issue.path.map(String));
    return issue.keys.map((key) => {
      const suggestion = nearest(key, known);
      return {
        path: path === "" ? key : `${path}.${key}`,
        message: `unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ""}. Known keys here: ${known.join(", ")}.`,
      };
    });
  });
}

/** The keys the schema accepts at `path` (an object somewhere in the schema). */
export function knownKeys(path: readonly string[]): string[] {
  let schema: unknown = configSchema;
  for (const part of path) schema = objectShape(schema)?.[part];
  return Object.keys(objectShape(schema) ?? {});
}

// Unwraps defaults, prefaults, optionals and pipes down to an object's shape.
function objectShape(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as
    { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown; in?: unknown } } } | undefined;
  for (let depth = 0; current && depth < 8; depth += 1) {
    if (current.shape) return current.shape;
    current = (current._zod?.def?.innerType ?? current._zod?.def?.in) as typeof current;
  }
  return undefined;
}

// The known key within edit distance 2 (a typo), if any.
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
