/**
 * Parsing of command-line values the core cannot take as text: numbers, repeated flags and
 * `--option module.key=value` pairs. Mistakes are `InvalidInputError`s naming the flag (exit 2).
 *
 * @module
 */
import type { ModuleCatalog } from "../../domain/catalog.js";
import { InvalidInputError } from "../../domain/errors.js";
import { FORBIDDEN_KEYS, type ModuleOptionValue } from "../../domain/spec.js";

/** Commander collector for repeatable options (`--module git --module fish`). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** Parses a positive number given to `flag`, or undefined when the flag was not given. */
export function parsePositiveNumber(flag: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new InvalidInputError([
      { path: flag, message: `${flag} must be a positive ${integer ? "whole " : ""}number, not "${value}".` },
    ]);
  }
  return number;
}

/**
 * Parses `--option module.key=value` pairs into per-module options, typed by the catalog where
 * it knows the option. The maps have no prototype and `__proto__`, `constructor` and
 * `prototype` are refused, so no typed key can reach `Object.prototype`.
 */
export function parseModuleOptions(
  pairs: readonly string[],
  catalog: ModuleCatalog,
): Record<string, Record<string, ModuleOptionValue>> {
  const result = Object.create(null) as Record<string, Record<string, ModuleOptionValue>>;
  for (const pair of pairs) {
    const parts = /^([^.=]*)\.([^=]*)=/.exec(pair);
    const forbidden = [parts?.[1], parts?.[2]].find((part) => part !== undefined && FORBIDDEN_KEYS.has(part));
    if (forbidden !== undefined) {
      throw new InvalidInputError([
        { path: "--option", message: `"${forbidden}" is not allowed as a module or option name (in "${pair}").` },
      ]);
    }
    const match = /^([a-z0-9-]+)\.([A-Za-z0-9_-]+)=(.*)$/s.exec(pair);
    if (!match) {
      throw new InvalidInputError([
        {
          path: "--option",
          message: `--option takes module.key=value (for example code-server.port=8443), not "${pair}".`,
        },
      ]);
    }
    const [, module = "", key = "", text = ""] = match;
    const options = catalog.get(module)?.options;
    const type = options && Object.hasOwn(options, key) ? options[key]?.type : undefined;
    (result[module] ??= Object.create(null) as Record<string, ModuleOptionValue>)[key] = coerce(text, type);
  }
  return result;
}

function coerce(text: string, type: "port" | "int" | "string" | "boolean" | undefined): ModuleOptionValue {
  if ((type === "port" || type === "int") && /^-?\d+$/.test(text)) return Number(text);
  if (type === "boolean") {
    if (/^(true|yes|on|1)$/i.test(text)) return true;
    if (/^(false|no|off|0)$/i.test(text)) return false;
  }
  return text;
}
