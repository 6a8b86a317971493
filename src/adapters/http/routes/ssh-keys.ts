/**
 * SSH public keys for the gateway (docs/ssh.md): list, add and remove your own; admins give
 * `?user=` for someone else's. The key is whose the core says: the caller's by default,
 * another user's only for an admin (the core refuses anyone else), so `user` names a target,
 * never who is asking.
 *
 * @module
 */
import { z } from "zod";
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { errorResponse, okEnvelope } from "../schemas.js";

const targetUser = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .describe("Whose keys (admins only for someone else); default: yours");

const sshKeyView = z.looseObject({
  fingerprint: z.string().describe("SHA256:… as ssh-keygen -l prints it"),
  userId: z.string(),
  algorithm: z.string(),
  bits: z.number(),
  comment: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
});

/** `POST /ssh-keys`: one public key line. */
const addKeyBody = z
  .object({ publicKey: z.string().min(1).max(16_384).describe("One line of ~/.ssh/id_ed25519.pub") })
  .strict();

const forbidden = { description: "Someone else's keys and not an admin", schema: errorResponse };

/** The SSH key routes. */
export const SSH_KEY_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/ssh-keys",
    summary: "Your SSH public keys for the gateway (admins: ?user= someone's, ?all=true everyone's)",
    operation: "listSshKeys",
    query: z.object({ user: targetUser, all: z.enum(["true", "false"]).optional() }).strict(),
    responses: {
      200: { description: "The keys (public data only)", schema: okEnvelope(z.array(sshKeyView)) },
      403: forbidden,
    },
    handle: async ({ actor, query }, { core }) =>
      okResponse(
        await core.listSshKeys(actor, {
          ...(query.user ? { userId: query.user } : {}),
          ...(query.all === "true" ? { all: true } : {}),
        }),
      ),
  }),
  defineRoute({
    method: "post",
    path: "/ssh-keys",
    summary:
      "Register an SSH public key, so `ssh -p PORT NAME@host` logs you in (a key already registered to anyone is refused)",
    operation: "addSshKey",
    query: z.object({ user: targetUser }).strict(),
    body: addKeyBody,
    responses: {
      201: { description: "The key as registered", schema: okEnvelope(sshKeyView) },
      403: forbidden,
      409: { description: "Already registered", schema: errorResponse },
      422: { description: "Not a public key", schema: errorResponse },
    },
    handle: async ({ actor, query, body }, { core }) =>
      okResponse(
        await core.addSshKey(actor, { publicKey: body.publicKey, ...(query.user ? { userId: query.user } : {}) }),
        201,
      ),
  }),
  defineRoute({
    method: "delete",
    path: "/ssh-keys",
    summary: "Remove one of your SSH keys by its fingerprint (admins: ?user= someone's)",
    operation: "removeSshKey",
    query: z.object({ fingerprint: z.string().min(1).max(200).describe("SHA256:…"), user: targetUser }).strict(),
    responses: {
      200: { description: "The key that was removed", schema: okEnvelope(sshKeyView) },
      403: forbidden,
      404: { description: "No such key of yours", schema: errorResponse },
    },
    handle: async ({ actor, query }, { core }) =>
      okResponse(
        await core.removeSshKey(actor, {
          fingerprint: query.fingerprint,
          ...(query.user ? { userId: query.user } : {}),
        }),
      ),
  }),
];
