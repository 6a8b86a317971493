/**
 * The storage drivers' settings: the `storage` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { sizeSchema } from "../../domain/sizes.js";

export const STORAGE_DRIVER_NAMES = ["btrfs", "zfs", "dir"] as const;
export type StorageDriverName = (typeof STORAGE_DRIVER_NAMES)[number];

export const storageSettingsSchema = z
  .object({
    driver: z.enum(STORAGE_DRIVER_NAMES).optional(),
    zfs: z
      .object({
        pool: z.string().default("tank"),
        /** Where the pool's datasets are mounted; defaults to /<pool> (services.voxnix.poolMountpoint sets it). */
        mountpoint: z.string().optional(),
      })
      .strict()
      .prefault({}),
    btrfs: z
      .object({
        /** A block device to use instead of a loop image. */
        device: z.string().optional(),
        /** Loop image file, created when missing. Defaults to <stateDir>/storage.btrfs.img. */
        image: z.string().optional(),
        imageSize: sizeSchema.default(20 * 1024 ** 3),
        /** Where the file system is mounted. Defaults to <stateDir>/storage. */
        mountpoint: z.string().optional(),
      })
      .strict()
      .prefault({}),
    dir: z.object({ root: z.string().optional() }).strict().prefault({}),
  })
  .strict()
  .prefault({});
export type StorageSettings = z.output<typeof storageSettingsSchema>;
