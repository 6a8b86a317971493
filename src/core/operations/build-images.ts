/**
 * `buildImages` (admins): builds the backend's images, passing progress through.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ImageBuildReport, ProgressListener } from "../../ports/container-backend.js";
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
      return context.deps.backend.buildImages({
        onProgress: (event) => {
          try {
            listener?.(event);
          } catch (error) {
            context.deps.logger.warn({ err: error }, "A progress listener threw; ignoring it");
          }
        },
      });
    },
  });
}
