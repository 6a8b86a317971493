/**
 * API tokens for the HTTP API (admins): `voxnix users token create <user>` prints a new token
 * once (only its SHA-256 is stored), `users token list [user]` lists tokens without secrets,
 * `users token revoke <id>` refuses the token from the next request on. Each is an audited
 * core operation.
 *
 * @module
 */
import type { ApiTokenView, CreatedApiToken } from "../../../core/api.js";
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { formatTime, renderTable } from "../render.js";

function renderTokens(tokens: readonly ApiTokenView[]): string[] {
  return renderTable(
    ["id", "user", "created", "by", "revoked"],
    tokens.map((token) => [
      token.id,
      token.userId,
      formatTime(token.createdAt),
      token.createdBy,
      token.revokedAt ? formatTime(token.revokedAt) : "-",
    ]),
    "(no API tokens)",
  );
}

function renderCreated(token: CreatedApiToken): string[] {
  return [
    `API token ${token.id} for ${token.userId}. It is shown only this once; store it now:`,
    token.token,
    `Use it as: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8710/api/v1/whoami`,
  ];
}

/** Registers `voxnix users token …`. */
export const register: RegisterCommand = (program, context) => {
  const token = commandGroup(program, "users")
    .command("token")
    .description("Manage API tokens for the HTTP API (admins)");
  token
    .command("create")
    .description("Create an API token acting as a user; prints it once")
    .argument("<user>", "user id, e.g. web:alice or telegram:123")
    .action(async (user: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "createApiToken", userId: user }));
      context.output(await core.createApiToken(actor, user), renderCreated);
    });
  token
    .command("list")
    .description("List API tokens (of one user when given), never their secrets")
    .argument("[user]", "only this user's tokens")
    .action(async (user: string | undefined) => {
      const { core } = await context.app();
      context.output(await core.listApiTokens(context.globals().actor, user), renderTokens);
    });
  token
    .command("revoke")
    .description("Revoke an API token")
    .argument("<id>", "token id from `voxnix users token list`, e.g. tok_0123456789ab")
    .action(async (id: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "revokeApiToken", id }));
      context.output(await core.revokeApiToken(actor, id), (revoked) => [
        `Revoked API token ${revoked.id} of ${revoked.userId}.`,
      ]);
    });
};
