/**
 * `buildImages` (admins): builds every runtime's images, passing progress through.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ImageBuildReport, ProgressListener } from "../../ports/runtime.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Builds the backend's images. */
export function buildImages(services: CoreServices, actor: Actor, options: { readonly onProgress: ProgressListener }): Promise<ImageBuildReport> {
  const { context } = services;
  return runOperation(services, {
    operation: "buildImages",
    actor,
    validate: () => undefined,
    run: async () => {
      const listener = options?.onProgress;
      const onProgress: ProgressListener = (event) => {
        try {
          listener?.(event);
        } catch (error) {
          context.deps.logger.warn({ err: error }, "A progress listener threw; ignoring it");
        }
      };
      // One runtime after another: image builds are heavy, and their progress reads in order.
      const images: ImageBuildReport["images"][number][] = [];
      for (const runtime of context.deps.runtimes.all()) images.push(...(await runtime.buildImages({ onProgress })).images);
      return { images };
    },
  });
}
