/**
 * `voxnix web link [--as USER]`: prints a single-use dashboard login link for the acting user
 * (the local admin by default, or whom `--as` names), to open on this machine or hand to that
 * person. The link works once, for ten minutes; only its hash is stored (docs/web.md).
 *
 * @module
 */
import type { LoginLink } from "../../../core/api.js";
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { formatTime } from "../render.js";

/** Registers `voxnix web …`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "web")
    .command("link")
    .description("Print a single-use login link to the dashboard for the acting user (use --as USER for someone else)")
    .action(async () => {
      const { actor, dryRun } = context.globals();
      const app = await context.app();
      if (dryRun) return context.planned(await app.core.plan(actor, { operation: "createLoginLink" }));
      const { loginLinkUrl } = await import("../../http/web/links.js");
      const link: LoginLink = await app.core.createLoginLink(actor);
      const url = loginLinkUrl(app.config.http, link.token);
      context.output({ userId: link.userId, url, expiresAt: link.expiresAt }, () => [
        url,
        `(for ${link.userId}; works once, until ${formatTime(link.expiresAt)})`,
      ]);
    });
};
