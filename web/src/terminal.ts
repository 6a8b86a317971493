/**
 * The browser terminal: xterm.js (bundled at build time, no CDN) over a WebSocket to
 * `/web/terminal/<name>` (see src/adapters/http/web/terminal.ts for the wire format). The page
 * sends keystrokes and its size (again on every resize).
 *
 * Reconnecting reattaches: the server keeps the shell for a grace window after the connection
 * drops, and the page reconnects by itself (backing off) with the shell's resume token, kept
 * in sessionStorage so a reload of the tab finds it too (the dashboard reopens that terminal
 * by itself after a reload: `reattachableTerminals`). The server replays the recent output,
 * so the screen is cleared first. If the shell is gone (the window passed, the server
 * restarted), a new shell opens and the terminal says so. Close ends the shell.
 *
 * @module
 */
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { h, replace } from "./dom.js";

/** An open terminal panel; `close()` ends the shell. */
export interface TerminalPanel {
  close(): void;
}

/** The close code of a connection whose shell another tab took over. */
const SUPERSEDED = 4000;
/** How long the page keeps trying to get back to a dropped shell (a little past the server's default grace window). */
const GIVE_UP_MS = 75_000;

const STORAGE_PREFIX = "voxnix.terminal.";
const storageKey = (workload: string) => `${STORAGE_PREFIX}${workload}`;

function savedToken(workload: string): string | undefined {
  try {
    return window.sessionStorage.getItem(storageKey(workload)) ?? undefined;
  } catch {
    return undefined;
  }
}

function saveToken(workload: string, token: string | undefined): void {
  try {
    if (token === undefined) window.sessionStorage.removeItem(storageKey(workload));
    else window.sessionStorage.setItem(storageKey(workload), token);
  } catch {
    /* storage refused (private mode): reattach works within this page only */
  }
}

/** Workloads whose shell this tab left open (a reload): their terminals can be reattached. */
export function reattachableTerminals(): string[] {
  const names: string[] = [];
  try {
    for (let index = 0; index < window.sessionStorage.length; index += 1) {
      const key = window.sessionStorage.key(index);
      if (key?.startsWith(STORAGE_PREFIX)) names.push(key.slice(STORAGE_PREFIX.length));
    }
  } catch {
    /* storage refused: nothing to reattach */
  }
  return names;
}

/** Whether the server answers at all (a refused reattach on a live server means the shell is gone). */
async function serverReachable(): Promise<boolean> {
  try {
    const response = await fetch("/api/v1/whoami", { credentials: "same-origin" });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Opens a terminal for `workload` inside `container`. */
export function openTerminal(container: HTMLElement, workload: string, onClosed: () => void): TerminalPanel {
  const status = h("span", { class: "muted", text: "Connecting…", attrs: { "data-testid": "terminal-status" } });
  const screen = h("div", { class: "terminal-screen", attrs: { "data-testid": "terminal" } });
  const reconnect = h("button", { text: "Reconnect", attrs: { hidden: "", "data-testid": "terminal-reconnect" } });
  const closeButton = h("button", { text: "Close" });
  replace(
    container,
    h(
      "div",
      { class: "terminal-bar" },
      h("strong", { text: `Terminal: ${workload}` }),
      " ",
      status,
      " ",
      reconnect,
      closeButton,
    ),
    screen,
  );
  container.hidden = false;

  const terminal = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, scrollback: 2000 });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(screen);
  fit.fit();

  let socket: WebSocket | undefined;
  let resumeToken = savedToken(workload);
  let ended = false;
  let closed = false;
  let droppedAt: number | undefined;
  let retryTimer: number | undefined;
  let attempt = 0;
  const send = (message: string) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(message);
  };
  terminal.onData((data) => send(`0${data}`));
  terminal.onResize(({ cols, rows }) => send(`1${JSON.stringify({ cols, rows })}`));
  const onWindowResize = () => fit.fit();
  window.addEventListener("resize", onWindowResize);

  const offerReconnect = (text: string, label: string) => {
    status.textContent = text;
    reconnect.textContent = label;
    reconnect.hidden = false;
  };

  const retry = () => {
    if (closed) return;
    const since = droppedAt ?? Date.now();
    if (Date.now() - since > GIVE_UP_MS) {
      offerReconnect("Disconnected.", "Reconnect");
      return;
    }
    attempt += 1;
    const delay = Math.min(8000, 500 * 2 ** Math.min(attempt - 1, 4));
    status.textContent = "Reconnecting…";
    retryTimer = window.setTimeout(connect, delay);
  };

  function connect(): void {
    if (closed) return;
    window.clearTimeout(retryTimer);
    ended = false;
    reconnect.hidden = true;
    if (droppedAt === undefined) status.textContent = "Connecting…";
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const resume = resumeToken ? `&resume=${encodeURIComponent(resumeToken)}` : "";
    const url = `${scheme}://${window.location.host}/web/terminal/${encodeURIComponent(workload)}?cols=${terminal.cols}&rows=${terminal.rows}${resume}`;
    const current = new WebSocket(url);
    let opened = false;
    socket = current;
    current.onopen = () => {
      opened = true;
      attempt = 0;
      droppedAt = undefined;
      status.textContent = "Connected";
      terminal.focus();
    };
    current.onmessage = (event: MessageEvent<string>) => {
      const data = String(event.data);
      if (data.startsWith("0")) terminal.write(data.slice(1));
      else if (data.startsWith("2")) {
        const hello = JSON.parse(data.slice(1)) as { resume: string; reattached: boolean };
        resumeToken = hello.resume;
        saveToken(workload, hello.resume);
        // The replayed recent output follows: start from a clean screen so nothing shows twice.
        if (hello.reattached) terminal.reset();
        // Tell the shell this page's size (the replay may come from a differently sized window).
        send(`1${JSON.stringify({ cols: terminal.cols, rows: terminal.rows })}`);
      } else if (data.startsWith("1")) {
        ended = true;
        resumeToken = undefined;
        saveToken(workload, undefined);
        const { exitCode } = JSON.parse(data.slice(1)) as { exitCode: number | null };
        offerReconnect(`The shell ended${exitCode === null ? "" : ` (exit ${exitCode})`}.`, "Open a new shell");
      }
    };
    current.onclose = (event: CloseEvent) => {
      if (socket !== current || closed || ended) return;
      if (event.code === SUPERSEDED) {
        offerReconnect("This shell was opened in another window.", "Take it back");
        return;
      }
      if (!opened && !resumeToken) {
        // A new shell could not be opened (the workload stopped, the server is down): the person decides.
        offerReconnect("Could not connect.", "Reconnect");
        return;
      }
      droppedAt ??= Date.now();
      if (!opened) {
        // Refused: either the network is still down, or the shell is gone (the server says no to its token).
        void serverReachable().then((reachable) => {
          if (closed || socket !== current) return;
          if (reachable) {
            resumeToken = undefined;
            saveToken(workload, undefined);
            terminal.write("\r\n\x1b[2m[the previous shell has ended; this is a new one]\x1b[0m\r\n");
            droppedAt = undefined;
            connect();
          } else retry();
        });
        return;
      }
      retry();
    };
  }

  reconnect.addEventListener("click", () => {
    attempt = 0;
    droppedAt = undefined;
    connect();
  });
  const close = () => {
    closed = true;
    window.clearTimeout(retryTimer);
    window.removeEventListener("resize", onWindowResize);
    const current = socket;
    socket = undefined;
    // "2": end the shell (a plain close would leave it for a reattach).
    if (current?.readyState === WebSocket.OPEN) current.send("2");
    current?.close(1000);
    resumeToken = undefined;
    saveToken(workload, undefined);
    terminal.dispose();
    replace(container);
    container.hidden = true;
    onClosed();
  };
  closeButton.addEventListener("click", close);
  connect();
  return { close };
}
