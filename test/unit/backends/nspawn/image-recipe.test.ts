/**
 * The base image's cache key: an image built from another package list (or before recipes
 * existed) is not used for new containers, so adding a package (rsync) reaches existing
 * installations at their next create or `voxnix images build`; `voxnix doctor` says why.
 *
 * @module
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { basePackages, imageRecipe } from "../../../../src/runtimes/nspawn/nspawn-cli.js";
import { builtImage, currentImage, metadataFile } from "../../../../src/runtimes/nspawn/image.js";
import type { NspawnPaths } from "../../../../src/runtimes/nspawn/paths.js";

describe("base image recipe", () => {
  const root = mkdtempSync(path.join(tmpdir(), "voxnix-recipe-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const paths = { images: path.join(root, "images") } as NspawnPaths;

  /** An image on disk whose metadata says `recipe` (or nothing). */
  const image = (recipe: string | undefined) => {
    const tree = path.join(paths.images, "debian-bookworm-x");
    mkdirSync(path.join(tree, "usr/lib/systemd"), { recursive: true });
    writeFileSync(path.join(tree, "usr/lib/systemd/systemd"), "");
    const metadata = {
      path: tree,
      suite: "bookworm",
      builtAt: "2026-12-01T00:00:00Z",
      packages: [],
      durationMs: 1,
      subvolume: false,
      ...(recipe === undefined ? {} : { recipe }),
    };
    writeFileSync(metadataFile(paths, "bookworm"), JSON.stringify(metadata));
  };

  it("carries rsync, the remote half of `rsync -e ssh` through the gateway", () => {
    assert.ok(basePackages().includes("rsync"));
    assert.ok(basePackages().includes("openssh-sftp-server"));
  });

  it("is a short hash of the package list", () => {
    assert.match(imageRecipe(), /^[0-9a-f]{12}$/);
    assert.equal(imageRecipe(), imageRecipe(), "stable between calls");
  });

  it("an image of this recipe is current", () => {
    image(imageRecipe());
    assert.equal(currentImage(paths, "bookworm")?.recipe, imageRecipe());
  });

  it("an image built before recipes, or from another package list, is stale: built again, still known", () => {
    for (const recipe of [undefined, "0123456789ab"]) {
      image(recipe);
      assert.equal(currentImage(paths, "bookworm"), undefined, `recipe ${recipe}`);
      assert.equal(builtImage(paths, "bookworm")?.suite, "bookworm", "the old image is still found, to be replaced");
    }
  });
});
