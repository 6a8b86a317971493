/**
 * `voxnix images build`: builds (or rebuilds) the backend's images through `core.buildImages`
 * (admins only), streaming progress: for nspawn, the debootstrap of the Debian base image;
 * for NixOS, the closures of the configured module sets.
 *
 * @module
 */
import type { ImageBuildReport, ProgressEvent } from "../../../core/api.js";
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";

/** Human lines for a build report. */
export function renderImageReport(report: ImageBuildReport): string[] {
  if (report.images.length === 0) return ["No images to build."];
  return report.images.map((image) => `Built ${image.name}: ${image.detail}`);
}

/** Registers `voxnix images build`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "images")
    .command("build")
    .description("Build (or rebuild) the backend's images so later creates are fast (admins)")
    .action(async () => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      // The core's dry run: an admin check like the real build, and the runtimes it would build for.
      if (dryRun) return context.planned(await core.plan(actor, { operation: "buildImages" }));
      const display = await context.progress("Building images");
      try {
        const report = await core.buildImages(actor, {
          onProgress: (event: ProgressEvent) => {
            if (event.type === "step") display.update(event.message);
            else display.log(event.line);
          },
        });
        display.end("succeeded", "Images built");
        context.output(report, renderImageReport);
      } catch (error) {
        display.end("failed", "Image build failed");
        throw error;
      }
    });
};
