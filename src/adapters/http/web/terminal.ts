/**
 * The browser terminal: `GET /web/terminal/:name?cols=&rows=[&resume=]` upgraded to a
 * WebSocket that carries an interactive shell inside the workload (the core's `openShell`,
 * the same confined path as exec). Identity is the session cookie only, and the upgrade must
 * come from our own page (Origin): a WebSocket is not bound by the same-origin policy, so
 * without that check any site could open one with the visitor's cookie. The shell is opened
 * before the upgrade, so "not yours" is a plain 404 like "not found", and nothing is upgraded.
 *
 * Reattach: when the socket drops without the page saying "end", the shell is detached, not
 * hung up, and lives for `http.terminalReattachSeconds` (default 60). The page reconnects with
 * `?resume=<token>` (the token it got when the shell opened) and the core's `attachShell`
 * gives the same shell back with its recent output; another person's token is "not found".
 *
 * Wire format (text frames): the first character says what follows. Browser → server:
 * `0<keystrokes>`, `1{"cols":N,"rows":N}` (resize), `2` (end the shell: the Close button).
 * Server → browser: `0<output>`, `1{"exitCode":N}` when the shell ended (then the server
 * closes with 1000), `2{"shell":ID,"resume":TOKEN,"reattached":BOOL}` first on every
 * connection (a reattach's output that follows starts with the replayed scrollback, so the
 * page clears its screen first). A connection another reattach took over is closed with 4000.
 *
 * A workload stopped for idleness is started by opening its terminal (the core's `openShell`
 * wakes it, as an SSH connection does). Then the socket is upgraded at once and the terminal
 * reads `voxnix: starting web…` until the shell is there; a start that fails is written into
 * the terminal and ends it like an exited shell.
 *
 * @module
 */
import type { Hono } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import type { Core, ShellSession } from "../../../core/api.js";
import { InvalidInputError, VoxnixError } from "../../../domain/errors.js";
import type { AuthVariables } from "../auth.js";
import { HttpProblem } from "../errors.js";
import { isSameOrigin, readSessionCookie } from "../session.js";

/** The close code of a connection whose shell was reattached elsewhere (the page must not reconnect by itself). */
export const SUPERSEDED_CLOSE_CODE = 4000;

/** A connected browser gets this long to finish the WebSocket handshake before its shell is hung up. */
const HANDSHAKE_MS = 10_000;
/** The largest message accepted from a browser (keystrokes and pastes). */
export const MAX_TERMINAL_MESSAGE_BYTES = 64 * 1024;

/** What the terminal route needs. */
export interface TerminalRouteOptions {
  readonly core: Core;
  readonly upgradeWebSocket: UpgradeWebSocket<unknown>;
  readonly publicUrl?: string | undefined;
  /** How long a shell survives a dropped connection, waiting for a reattach (ms; 0: it ends at once). */
  readonly reattachMs: number;
}

function size(value: string | undefined, fallback: number): number {
  return value === undefined || value === "" ? fallback : Number(value);
}

/** Applies one browser message to the shell; malformed ones are ignored. */
export function handleTerminalMessage(shell: ShellSession, message: string): void {
  if (message.startsWith("0")) shell.write(message.slice(1));
  else if (message === "2") shell.close();
  else if (message.startsWith("1")) {
    try {
      const parsed = JSON.parse(message.slice(1)) as { cols?: unknown; rows?: unknown };
      if (typeof parsed.cols === "number" && typeof parsed.rows === "number")
        shell.resize({ cols: parsed.cols, rows: parsed.rows });
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
      if (context.req.header("upgrade")?.toLowerCase() !== "websocket")
        throw new HttpProblem("invalid-input", 426, "The terminal is a WebSocket; open it from the dashboard.");
      if (!isSameOrigin(context, options.publicUrl))
        throw new HttpProblem(
          "forbidden",
          403,
          "Cross-site WebSocket refused: the terminal opens only from the voxnix dashboard.",
        );
      const secret = readSessionCookie(context);
      const identity = secret === undefined ? undefined : core.authenticateSession(secret);
      if (!identity) throw new HttpProblem("unauthorized", 401, "Sign in with a login link first.");
      const cols = size(context.req.query("cols"), 80);
      const rows = size(context.req.query("rows"), 24);
      if (!Number.isInteger(cols) || !Number.isInteger(rows))
        throw new InvalidInputError([{ path: "query", message: "cols and rows must be whole numbers." }]);
      const name = context.req.param("name") ?? "";
      const resumeToken = context.req.query("resume");
      let wakeMessage: string | undefined;
      let waking: () => void = () => undefined;
      const woke = new Promise<"waking">((resolve) => (waking = () => resolve("waking")));
      const opening =
        resumeToken === undefined || resumeToken === ""
          ? core.openShell(identity.actor, {
              name,
              cols,
              rows,
              reattachMs: options.reattachMs,
              onWake: (message) => {
                wakeMessage = message;
                waking();
              },
            })
          : core.attachShell(identity.actor, { name, resumeToken, cols, rows });
      // Refusals ("not found", …) come before any wake, so they are still plain HTTP errors before the upgrade.
      const first = await Promise.race([opening, woke]);
      if (first !== "waking") return connectedTerminal(first);
      // The workload was stopped for idleness and is starting: upgrade now and say so while it starts.
      void opening.catch(() => undefined);
      return wakingTerminal(opening, wakeMessage ?? `starting ${name}…`);
    }),
  );
}

/** The socket's events for a shell that is open. */
function connectedTerminal(shell: ShellSession): WSEvents {
  let socket: WSContext<unknown> | undefined;
  // A handshake that never completes must not leave a shell running (a reattached one gets its grace window again).
  const abandoned = setTimeout(() => (shell.reattached ? shell.detach() : shell.close()), HANDSHAKE_MS);
  abandoned.unref();
  return {
    onOpen(_event, ws) {
      clearTimeout(abandoned);
      socket = ws;
      joinShell(shell, ws);
    },
    onMessage(event) {
      handleTerminalMessage(shell, messageText(event));
    },
    onClose() {
      clearTimeout(abandoned);
      socket = undefined;
      // The connection went away (a network drop, a reload, a closed tab): keep the shell for a reattach.
      shell.detach();
    },
    onError() {
      socket?.close(1011, "error");
      shell.detach();
    },
  };
}

/**
 * The socket's events while a workload stopped for idleness starts: the person reads
 * "voxnix: starting web…" in the terminal, then gets the shell as usual. A start that fails is
 * written into the terminal and ends it like an exited shell; a page closed meanwhile
 * ends the shell as soon as it opens.
 */
function wakingTerminal(opening: Promise<ShellSession>, message: string): WSEvents {
  let shell: ShellSession | undefined;
  let gone = false;
  return {
    onOpen(_event, ws) {
      ws.send(`0voxnix: ${message}\r\n`);
      opening.then(
        (opened) => {
          shell = opened;
          if (gone || ws.readyState !== 1) opened.close();
          else joinShell(opened, ws);
        },
        (error: unknown) => {
          const reason = error instanceof VoxnixError ? error.message : "The shell could not be opened.";
          if (ws.readyState !== 1) return;
          ws.send(`0voxnix: ${reason}\r\n`);
          ws.send(`1${JSON.stringify({ exitCode: null })}`);
          ws.close(1000, "could not start");
        },
      );
    },
    onMessage(event) {
      // Keystrokes typed while the workload starts are dropped: nothing is there to read them yet.
      if (shell) handleTerminalMessage(shell, messageText(event));
    },
    onClose() {
      gone = true;
      shell?.detach();
    },
    onError(_event, ws) {
      gone = true;
      ws.close(1011, "error");
      shell?.detach();
    },
  };
}

/** Sends the hello, then the shell's output and its end, on `ws`. */
function joinShell(shell: ShellSession, ws: WSContext<unknown>): void {
  shell.onSuperseded(() => {
    if (ws.readyState === 1) ws.close(SUPERSEDED_CLOSE_CODE, "reattached elsewhere");
  });
  ws.send(`2${JSON.stringify({ shell: shell.id, resume: shell.resumeToken, reattached: shell.reattached })}`);
  shell.onData((data) => {
    if (ws.readyState === 1) ws.send(`0${data}`);
  });
  void shell.exited.then(({ exitCode }) => {
    if (ws.readyState === 1) {
      ws.send(`1${JSON.stringify({ exitCode })}`);
      ws.close(1000, "shell ended");
    }
  });
}

function messageText(event: unknown): string {
  const data = (event as { readonly data: unknown }).data;
  return typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8");
}
