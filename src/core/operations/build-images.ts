/**
 * `buildImages` (admins): builds every runtime's images, passing progress through.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ImageBuildReport, ProgressListener } from "../../ports/runtime.js";
import type { Planned } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Builds the backend's images. */
export function buildImages(
  services: CoreServices,
  actor: Actor,
  options: { readonly onProgress: ProgressListener },
): Promise<ImageBuildReport> {
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
      for (const runtime of context.deps.runtimes.all())
        images.push(...(await runtime.buildImages({ onProgress })).images);
      return { images };
    },
  });
}

/** The dry run of `buildImages`: which runtimes would build. */
export function planBuildImages(services: CoreServices, actor: Actor): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "buildImages",
    actor,
    dryRun: true,
    validate: () => undefined,
    run: async () => {
      const runtimes = context.deps.runtimes.all().map((runtime) => runtime.info().name);
      return {
        type: "planned",
        plan: {
          operation: "buildImages",
          runtimes,
          steps: runtimes.map((name) => `build the ${name} runtime's images`),
        },
      };
    },
  });
}
