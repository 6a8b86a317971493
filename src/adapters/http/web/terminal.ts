/**
 * The browser terminal: `GET /web/terminal/:name?cols=&rows=` upgraded to a WebSocket that
 * carries an interactive shell inside the workload (the core's `openShell`, the same confined
 * path as exec). Identity is the session cookie only, and the upgrade must come from our own
 * page (Origin): a WebSocket is not bound by the same-origin policy, so without that check any
 * site could open one with the visitor's cookie. The shell is opened before the upgrade, so
 * "not yours" is a plain 404 like "not found", and nothing is upgraded.
 *
 * Wire format (text frames): the first character says what follows. Browser → server:
 * `0<keystrokes>`, `1{"cols":N,"rows":N}` (resize). Server → browser: `0<output>`,
 * `1{"exitCode":N}` when the shell ended (then the server closes with 1000).
 *
 * @module
 */
import type { Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { Core, ShellSession } from "../../../core/api.js";
import { InvalidInputError } from "../../../domain/errors.js";
import type { AuthVariables } from "../auth.js";
import { HttpProblem } from "../errors.js";
import { isSameOrigin, readSessionCookie } from "../session.js";

/** A connected browser gets this long to finish the WebSocket handshake before its shell is hung up. */
const HANDSHAKE_MS = 10_000;
/** The largest message accepted from a browser (keystrokes and pastes). */
export const MAX_TERMINAL_MESSAGE_BYTES = 64 * 1024;

/** What the terminal route needs. */
export interface TerminalRouteOptions {
  readonly core: Core;
  readonly upgradeWebSocket: UpgradeWebSocket<unknown>;
  readonly publicUrl?: string | undefined;
}

function size(value: string | undefined, fallback: number): number {
  return value === undefined || value === "" ? fallback : Number(value);
}

/** Applies one browser message to the shell; malformed ones are ignored. */
export function handleTerminalMessage(shell: ShellSession, message: string): void {
  if (message.startsWith("0")) shell.write(message.slice(1));
  else if (message.startsWith("1")) {
    try {
      const parsed = JSON.parse(message.slice(1)) as { cols?: unknown; rows?: unknown };
      if (typeof parsed.cols === "number" && typeof parsed.rows === "number") shell.resize({ cols: parsed.cols, rows: parsed.rows });
    } catch {
      /* not JSON: ignored */
    }
  }
}

/** Registers the terminal route on `app`. */
export function registerTerminalRoute(app: Hono<{ Variables: AuthVariables }>, options: TerminalRouteOptions): void {
  const { core } = options;
  app.get(
    "/web/terminal/:name",
    options.upgradeWebSocket(async (context) => {
      if (context.req.header("upgrade")?.toLowerCase() !== "websocket") throw new HttpProblem("invalid-input", 426, "The terminal is a WebSocket; open it from the dashboard.");
      if (!isSameOrigin(context, options.publicUrl)) throw new HttpProblem("forbidden", 403, "Cross-site WebSocket refused: the terminal opens only from the voxnix dashboard.");
      const secret = readSessionCookie(context);
      const identity = secret === undefined ? undefined : core.authenticateSession(secret);
      if (!identity) throw new HttpProblem("unauthorized", 401, "Sign in with a login link first.");
      const cols = size(context.req.query("cols"), 80);
      const rows = size(context.req.query("rows"), 24);
      if (!Number.isInteger(cols) || !Number.isInteger(rows)) throw new InvalidInputError([{ path: "query", message: "cols and rows must be whole numbers." }]);
      const shell = await core.openShell(identity.actor, { name: context.req.param("name") ?? "", cols, rows });
      let socket: WSContext<unknown> | undefined;
      // A handshake that never completes must not leave a shell running.
      const abandoned = setTimeout(() => shell.close(), HANDSHAKE_MS);
      abandoned.unref();
      return {
        onOpen(_event, ws) {
          clearTimeout(abandoned);
          socket = ws;
          shell.onData((data) => {
            if (ws.readyState === 1) ws.send(`0${data}`);
          });
          void shell.exited.then(({ exitCode }) => {
            if (ws.readyState === 1) {
              ws.send(`1${JSON.stringify({ exitCode })}`);
              ws.close(1000, "shell ended");
            }
          });
        },
        onMessage(event) {
          const data = (event as { readonly data: unknown }).data;
          const text = typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8");
          handleTerminalMessage(shell, text);
        },
        onClose() {
          clearTimeout(abandoned);
          socket = undefined;
          shell.close();
        },
        onError() {
          socket?.close(1011, "error");
          shell.close();
        },
      };
    }),
  );
}
