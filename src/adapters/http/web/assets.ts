/**
 * The dashboard's static files, built at install time (`npm run build` → `dist/web/`) and
 * served by voxnix itself: no CDN, so the dashboard works offline and on a LAN without
 * internet. Only the files the build writes are served (a fixed list, so no path from a
 * request ever reaches the file system), each read once and kept in memory.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The files `bin/bundle.js` writes to `dist/web/`, with their content types. */
export const WEB_ASSETS: Readonly<Record<string, string>> = {
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
  "xterm.css": "text/css; charset=utf-8",
};

/** The package root: the nearest folder above this module with voxnix's package.json (src/, dist/ and the bundle sit at different depths). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let directory = path.dirname(from);
  for (;;) {
    const manifest = path.join(directory, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "voxnix") return directory;
      } catch {
        /* not ours; keep looking */
      }
    }
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** The built dashboard files, loaded lazily from `directory` (default `<package root>/dist/web`). */
export class WebAssets {
  readonly #directory: string | undefined;
  readonly #cache = new Map<string, Buffer>();

  constructor(directory?: string) {
    const root = packageRoot();
    this.#directory = directory ?? (root === undefined ? undefined : path.join(root, "dist", "web"));
  }

  /** True when the build wrote the dashboard script. */
  ready(): boolean {
    return this.get("dashboard.js") !== undefined;
  }

  /** A built file and its content type, or undefined for any other name or a missing build. */
  get(name: string): { readonly body: Buffer; readonly contentType: string } | undefined {
    if (!Object.hasOwn(WEB_ASSETS, name) || this.#directory === undefined) return undefined;
    let body = this.#cache.get(name);
    if (body === undefined) {
      try {
        body = readFileSync(path.join(this.#directory, name));
      } catch {
        return undefined;
      }
      this.#cache.set(name, body);
    }
    return { body, contentType: WEB_ASSETS[name]! };
  }
}
