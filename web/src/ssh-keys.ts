/**
 * The dashboard's SSH keys card: your public keys for the SSH gateway (fingerprint and
 * comment), a box to paste a new one (`~/.ssh/id_ed25519.pub`) and Remove. Everything goes
 * through `/api/v1/ssh-keys`; the server parses the key and refuses private keys, keys
 * already registered to anyone and garbage, so this only shows what it answers.
 *
 * @module
 */
import { api } from "./api.js";
import { h, replace } from "./dom.js";

/** A key as the API lists it (public facts only). */
interface SshKey {
  readonly fingerprint: string;
  readonly algorithm: string;
  readonly bits: number;
  readonly comment?: string;
  readonly createdAt: string;
}

/** What the card needs from the page. */
export interface SshKeysContext {
  readonly section: HTMLElement;
  /** The gateway's `ssh` line with `{name}`, when the gateway is enabled. */
  readonly sshExample?: string;
  attempt(action: () => Promise<void>): Promise<void>;
  notify(message: string, kind?: "info" | "error"): void;
}

/** Draws the card with the current keys. */
export async function refreshSshKeys(context: SshKeysContext): Promise<void> {
  const keys = await api<readonly SshKey[]>("GET", "/ssh-keys");
  const input = h("textarea", {
    attrs: {
      rows: "3",
      placeholder: "ssh-ed25519 AAAA… you@laptop",
      "aria-label": "Public key",
      "data-testid": "ssh-key-input",
      spellcheck: "false",
    },
  });
  const add = async () => {
    const added = await api<SshKey>("POST", "/ssh-keys", { publicKey: input.value.trim() });
    context.notify(`Key ${added.fingerprint} added.`);
    await refreshSshKeys(context);
  };
  const rows = keys.map((key) =>
    h(
      "li",
      { attrs: { "data-key": key.fingerprint } },
      h("code", { text: key.fingerprint }),
      " ",
      h("span", { class: "muted", text: `${key.algorithm}${key.comment ? ` · ${key.comment}` : ""}` }),
      " ",
      h("button", {
        text: "Remove",
        attrs: { "data-action": `remove-key-${key.fingerprint}` },
        on: {
          click: () =>
            void context.attempt(async () => {
              await api("DELETE", `/ssh-keys?fingerprint=${encodeURIComponent(key.fingerprint)}`);
              context.notify(`Key ${key.fingerprint} removed.`);
              await refreshSshKeys(context);
            }),
        },
      }),
    ),
  );
  replace(
    context.section,
    h("h2", { text: "SSH keys" }),
    context.sshExample
      ? h("p", {
          class: "small muted",
          text: `With a key here, ${context.sshExample.replaceAll("{name}", "NAME")} opens a shell in your workload NAME.`,
        })
      : null,
    rows.length > 0
      ? h("ul", { class: "list", attrs: { "data-testid": "ssh-keys" } }, ...rows)
      : h("p", {
          class: "muted",
          text: "No keys yet. Paste the contents of ~/.ssh/id_ed25519.pub (no key yet? run ssh-keygen -t ed25519).",
        }),
    input,
    h(
      "div",
      { class: "actions" },
      h("button", {
        text: "Add key",
        attrs: { "data-testid": "ssh-key-add" },
        on: { click: () => void context.attempt(add) },
      }),
    ),
  );
}
