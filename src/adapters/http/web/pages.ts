/**
 * The dashboard's server-rendered pages: the HTML shell the dashboard script fills in, and the
 * few pages around logging in (use a link, link used or expired, waiting for approval, signed
 * out). Plain templates: every value is escaped, no tenant data is rendered here (the
 * dashboard renders it in the browser with `textContent`), and scripts come only from
 * `/web/assets/` (see the Content-Security-Policy in `routes.ts`).
 *
 * @module
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function layout(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/web/assets/dashboard.css">
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

function card(title: string, content: string): string {
  return layout(
    `voxnix — ${title}`,
    `<main class="narrow"><h1>voxnix</h1><section class="card"><h2>${escapeHtml(title)}</h2>${content}</section></main>`,
  );
}

const NEW_LINK_HINT =
  "<p>Ask for a new one: send <code>/web</code> to the voxnix bot in Telegram, or ask your administrator (<code>voxnix web link</code>).</p>";

/** The page a login link opens: one button that uses it (a GET never does, so link previews cannot spend it). */
export function loginPage(action: string): string {
  return card(
    "Open your dashboard",
    `<p>This single-use link signs this browser in to your voxnix dashboard.</p>
<form method="post" action="${escapeHtml(action)}"><button type="submit" class="primary" id="sign-in">Open my dashboard</button></form>`,
  );
}

/** A used, expired or unknown login link. */
export function linkGonePage(): string {
  return card(
    "This login link no longer works",
    `<p>It was already used or it has expired (links work once, for a few minutes).</p>${NEW_LINK_HINT}`,
  );
}

/** The link's user may not use voxnix (yet). */
export function refusedPage(message: string): string {
  return card("Not signed in", `<p>${escapeHtml(message)}</p>`);
}

/** The dashboard without a session. */
export function signedOutPage(reason: "none" | "ended"): string {
  return card(
    reason === "ended" ? "You are signed out" : "Sign in with a login link",
    `<p>The dashboard opens from a single-use login link.</p>${NEW_LINK_HINT}`,
  );
}

/** The dashboard's shell: who is signed in, the CSRF token for the script, and the script. */
export function dashboardPage(options: {
  readonly userId: string;
  readonly csrfToken: string;
  readonly assetsReady: boolean;
  readonly sshCommandTemplate?: string;
}): string {
  const body = options.assetsReady
    ? `<noscript><p class="notice">The dashboard needs JavaScript.</p></noscript><main id="app" class="wide"><p class="muted">Loading…</p></main>`
    : `<main class="narrow"><section class="card"><h2>The dashboard is not built</h2><p>Its files are missing from <code>dist/web/</code>. The administrator runs <code>npm run build</code> in the voxnix folder.</p></section></main>`;
  return layout(
    "voxnix",
    `<header class="top"><span class="brand">voxnix</span><span class="who" id="who">${escapeHtml(options.userId)}</span>
<form method="post" action="/web/logout" class="logout"><input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}"><button type="submit">Log out</button></form></header>
${body}`,
    `<meta name="csrf-token" content="${escapeHtml(options.csrfToken)}">
<meta name="voxnix-user" content="${escapeHtml(options.userId)}">
${options.sshCommandTemplate ? `<meta name="voxnix-ssh" content="${escapeHtml(options.sshCommandTemplate)}">` : ""}
<link rel="stylesheet" href="/web/assets/xterm.css">
${options.assetsReady ? '<script type="module" src="/web/assets/dashboard.js"></script>' : ""}`,
  );
}
