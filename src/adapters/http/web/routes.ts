/**
 * The dashboard's own routes under `/web`: the login link page and its one-click sign-in, log
 * out, the dashboard shell and its static files. Everything the dashboard shows and does goes
 * through the documented API under `/api/v1` with the session cookie (see `auth.ts`); the
 * terminal is `terminal.ts`.
 *
 * A login link is spent only by the POST its page sends, never by the GET: Telegram, mail
 * scanners and chat apps fetch links to preview them, and must not log anyone in or use up
 * the link. The POST answers 303 to `/web/`, a navigation from our own page, so the
 * SameSite=Strict cookie goes with it.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { csrf } from "hono/csrf";
import type { Core } from "../../../core/api.js";
import { VoxnixError } from "../../../domain/errors.js";
import type { AuthVariables } from "../auth.js";
import {
  clearSessionCookie,
  csrfTokenFor,
  isSameOrigin,
  isValidCsrfToken,
  ownOrigins,
  readSessionCookie,
  writeSessionCookie,
} from "../session.js";
import type { WebAssets } from "./assets.js";
import { dashboardPage, linkGonePage, loginPage, refusedPage, signedOutPage } from "./pages.js";

/** What the dashboard routes need. */
export interface WebRouteOptions {
  readonly core: Core;
  readonly assets: WebAssets;
  readonly publicUrl?: string | undefined;
  /** Mark the cookie Secure (TLS, or an https public URL). */
  readonly secureCookies: boolean;
  /** The SSH gateway's `ssh` line with `{name}` for the workload, when the gateway is enabled. */
  readonly sshCommandTemplate?: string;
}

/**
 * Scripts and styles only from this server; no framing; a referrer only to ourselves (a login
 * link's token must not leak to another site; `no-referrer` would make the sign-in form's
 * Origin `null`).
 */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
} as const;

function page(context: Context, html: string, status: 200 | 401 | 403 | 404 | 410 = 200): Response {
  return context.html(html, status, PAGE_HEADERS);
}

/** Registers `/web/…` (and `/` → `/web/`) on `app`. */
export function registerWebRoutes(app: Hono<{ Variables: AuthVariables }>, options: WebRouteOptions): void {
  const { core, assets } = options;
  // Form posts (sign in, log out) must come from our own pages: Hono's origin check, plus ours below.
  app.use("/web/*", csrf({ origin: (origin, context) => ownOrigins(context, options.publicUrl).includes(origin) }));

  app.get("/", (context) => context.redirect("/web/", 302));
  app.get("/web", (context) => context.redirect("/web/", 302));

  app.get("/web/", (context) => {
    const secret = readSessionCookie(context);
    const identity = secret === undefined ? undefined : core.authenticateSession(secret);
    if (!identity || secret === undefined)
      return page(context, signedOutPage(secret === undefined ? "none" : "ended"), 401);
    return page(
      context,
      dashboardPage({
        userId: identity.actor.userId,
        csrfToken: csrfTokenFor(secret),
        assetsReady: assets.ready(),
        ...(options.sshCommandTemplate ? { sshCommandTemplate: options.sshCommandTemplate } : {}),
      }),
    );
  });

  app.get("/web/login/:token", (context) => {
    const token = context.req.param("token");
    const state = core.inspectLoginLink(token);
    if (state !== "usable") return page(context, linkGonePage(), state === "unknown" ? 404 : 410);
    return page(context, loginPage(`/web/login/${encodeURIComponent(token)}`));
  });

  app.post("/web/login/:token", async (context) => {
    if (!isSameOrigin(context, options.publicUrl))
      return page(context, refusedPage("Cross-site request refused."), 403);
    try {
      const session = await core.startWebSession(context.req.param("token"));
      writeSessionCookie(context, session.secret, session.expiresAt, options.secureCookies);
      return context.redirect("/web/", 303);
    } catch (error) {
      if (VoxnixError.isInstance(error) && error.kind === "not-found") return page(context, linkGonePage(), 410);
      if (VoxnixError.isInstance(error) && error.kind === "forbidden")
        return page(context, refusedPage(error.message), 403);
      throw error;
    }
  });

  app.post("/web/logout", async (context) => {
    const secret = readSessionCookie(context);
    const identity = secret === undefined ? undefined : core.authenticateSession(secret);
    if (identity && secret !== undefined) {
      const form: Record<string, unknown> = await context.req.parseBody().catch(() => ({}));
      const field = form.csrf;
      const presented = typeof field === "string" ? field : context.req.header("x-csrf-token");
      if (!isSameOrigin(context, options.publicUrl) || !isValidCsrfToken(secret, presented))
        return page(context, refusedPage("Cross-site request refused."), 403);
      await core.endWebSession(identity.actor, secret);
    }
    clearSessionCookie(context, options.secureCookies);
    return page(context, signedOutPage("ended"));
  });

  app.get("/web/assets/:file", (context) => {
    const asset = assets.get(context.req.param("file"));
    if (!asset) return context.text("Not found", 404);
    return context.body(new Uint8Array(asset.body), 200, {
      "content-type": asset.contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
  });
}
