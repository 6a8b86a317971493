/**
 * Human size strings ("512M", "10G", "1.5T") to bytes and back. Binary units, as ZFS and btrfs use.
 *
 * @module
 */
import { z } from "zod";

const UNITS = ["B", "K", "M", "G", "T", "P"] as const;
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGTP])?(?:i?B)?$/i;

/** Parses "10G", "512M", "1.5T", "4096" (bytes) or "2GiB"; returns undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? "B").toUpperCase() as (typeof UNITS)[number];
  const bytes = Math.round(value * 1024 ** UNITS.indexOf(unit));
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Formats bytes as "1.5G", "512M", "0B". */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value}B`;
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}${UNITS[unit]}`;
}

/** Zod schema accepting a size string or a positive byte count, producing bytes. */
export const sizeSchema = z.union([z.number().int().positive(), z.string()]).transform((value, context) => {
  if (typeof value === "number") return value;
  const bytes = parseSize(value);
  if (bytes === undefined) {
    context.addIssue({ code: "custom", message: `"${value}" is not a size; write it like 512M, 10G or 1.5T.` });
    return z.NEVER;
  }
  return bytes;
});
