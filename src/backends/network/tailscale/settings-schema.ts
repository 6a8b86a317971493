/**
 * Tailscale remote access's settings: the `tailscale` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../../domain/config-fields.js";

export const tailscaleSettingsSchema = z
  .object({
    /** Refused: a reusable key copied into containers lets root in any of them add devices. */
    authKeyFile: z.string().optional(),
    /** The OAuth client (auth_keys scope) that mints one single-use key per container. Without it, remote access is unavailable. */
    oauthClientId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, "is not an OAuth client id")
      .optional(),
    oauthClientSecretFile: z.string().optional(),
    /** Tags every minted key carries (the OAuth client must own them); at least one is required by Tailscale. */
    tags: z
      .array(z.string().regex(/^tag:[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'is not a tag; write it like "tag:voxnix"'))
      .default([]),
    /** Whether containers join as ephemeral nodes (removed by Tailscale once offline for a while). */
    ephemeral: z.boolean().default(true),
    /** How long a minted key stays usable if the container never joins. */
    keyExpirySeconds: z
      .number()
      .int()
      .min(60)
      .max(90 * 24 * 3600)
      .default(3600),
    apiUrl: z.string().url().default("https://api.tailscale.com"),
    tailnet: z
      .string()
      .regex(/^[A-Za-z0-9._@-]+$/)
      .default("-"),
    requestTimeoutSeconds: seconds(15),
  })
  .superRefine((tailscale, context) => {
    if (tailscale.authKeyFile !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["authKeyFile"],
        message:
          "is no longer supported: a reusable key copied into containers lets root in any of them add devices to your tailnet. Configure tailscale.oauthClientId, tailscale.oauthClientSecretFile and tailscale.tags instead; voxnix then mints one single-use key per container.",
      });
    }
    const oauth = [tailscale.oauthClientId, tailscale.oauthClientSecretFile];
    if (oauth.some((value) => value !== undefined) && oauth.some((value) => value === undefined)) {
      context.addIssue({
        code: "custom",
        path: [tailscale.oauthClientId === undefined ? "oauthClientId" : "oauthClientSecretFile"],
        message: "tailscale.oauthClientId and tailscale.oauthClientSecretFile go together.",
      });
    }
    if (tailscale.oauthClientId !== undefined && tailscale.tags.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["tags"],
        message: 'keys minted by an OAuth client must carry at least one tag the client owns, like ["tag:voxnix"].',
      });
    }
  })
  .strict()
  .prefault({});
export type TailscaleSettings = z.output<typeof tailscaleSettingsSchema>;
