/**
 * The browser terminal: xterm.js (bundled at build time, no CDN) over a WebSocket to
 * `/web/terminal/<name>` (see src/adapters/http/web/terminal.ts for the wire format). The page
 * sends keystrokes and its size (again on every resize); when the connection drops without the
 * shell having ended, a Reconnect button opens a new shell.
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

/** Opens a terminal for `workload` inside `container`. */
export function openTerminal(container: HTMLElement, workload: string, onClosed: () => void): TerminalPanel {
  const status = h("span", { class: "muted", text: "Connecting…", attrs: { "data-testid": "terminal-status" } });
  const screen = h("div", { class: "terminal-screen", attrs: { "data-testid": "terminal" } });
  const reconnect = h("button", { text: "Reconnect", attrs: { hidden: "" } });
  const closeButton = h("button", { text: "Close" });
  replace(container, h("div", { class: "terminal-bar" }, h("strong", { text: `Terminal: ${workload}` }), " ", status, " ", reconnect, closeButton), screen);
  container.hidden = false;

  const terminal = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, scrollback: 2000 });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(screen);
  fit.fit();

  let socket: WebSocket | undefined;
  let ended = false;
  const send = (message: string) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(message);
  };
  terminal.onData((data) => send(`0${data}`));
  terminal.onResize(({ cols, rows }) => send(`1${JSON.stringify({ cols, rows })}`));
  const onWindowResize = () => fit.fit();
  window.addEventListener("resize", onWindowResize);

  const connect = () => {
    ended = false;
    reconnect.hidden = true;
    status.textContent = "Connecting…";
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${window.location.host}/web/terminal/${encodeURIComponent(workload)}?cols=${terminal.cols}&rows=${terminal.rows}`;
    const current = new WebSocket(url);
    socket = current;
    current.onopen = () => {
      status.textContent = "Connected";
      terminal.focus();
    };
    current.onmessage = (event: MessageEvent<string>) => {
      const data = String(event.data);
      if (data.startsWith("0")) terminal.write(data.slice(1));
      else if (data.startsWith("1")) {
        ended = true;
        const { exitCode } = JSON.parse(data.slice(1)) as { exitCode: number | null };
        status.textContent = `The shell ended${exitCode === null ? "" : ` (exit ${exitCode})`}.`;
        reconnect.textContent = "Open a new shell";
        reconnect.hidden = false;
      }
    };
    current.onclose = () => {
      if (socket !== current) return;
      if (!ended) {
        status.textContent = "Disconnected.";
        reconnect.textContent = "Reconnect";
        reconnect.hidden = false;
      }
    };
  };
  reconnect.addEventListener("click", connect);
  const close = () => {
    window.removeEventListener("resize", onWindowResize);
    const current = socket;
    socket = undefined;
    current?.close();
    terminal.dispose();
    replace(container);
    container.hidden = true;
    onClosed();
  };
  closeButton.addEventListener("click", close);
  connect();
  return { close };
}
