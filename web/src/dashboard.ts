/**
 * The dashboard: the signed-in person's workloads with live state (Server-Sent Events from
 * `/api/v1/events`), create with a module picker, start/stop/restart, destroy (plan, then
 * confirm), restore within the undo window, logs, storage against the quota, job progress, a
 * browser terminal, how to get in over SSH (with your SSH keys, `ssh-keys.ts`), and for admins every workload with its owner, the
 * users with their limits (approve/deny, change limits) and the audit log (`admin.ts`).
 * Everything goes through the HTTP API with the session cookie; nothing here decides who may
 * do what.
 *
 * @module
 */
import { refreshUsers, showAudit, type AdminContext } from "./admin.js";
import {
  api,
  ApiError,
  type Job,
  type ModuleInfo,
  type StorageReport,
  type UserView,
  type Workload,
  type ImportedVm,
} from "./api.js";
import { formatBytes, h, replace } from "./dom.js";
import { refreshSshKeys, type SshKeysContext } from "./ssh-keys.js";
import { openTerminal, reattachableTerminals, type TerminalPanel } from "./terminal.js";

const app = document.getElementById("app")!;
const sections = {
  notice: h("div", { class: "notice", attrs: { hidden: "", role: "status", "data-testid": "notice" } }),
  workloads: h("section", { class: "card", attrs: { "data-testid": "workloads" } }),
  dialog: h("section", { class: "card dialog", attrs: { hidden: "", "data-testid": "dialog" } }),
  terminal: h("section", { class: "card terminal", attrs: { hidden: "" } }),
  jobs: h("section", { class: "card", attrs: { hidden: "", "data-testid": "jobs" } }),
  create: h("section", { class: "card", attrs: { "data-testid": "create" } }),
  storage: h("section", { class: "card", attrs: { "data-testid": "storage" } }),
  sshKeys: h("section", { class: "card", attrs: { "data-testid": "ssh-keys-card" } }),
  users: h("section", { class: "card", attrs: { hidden: "", "data-testid": "users" } }),
  audit: h("section", { class: "card", attrs: { hidden: "", "data-testid": "audit" } }),
};
replace(app, ...Object.values(sections));

let me: UserView | undefined;
let workloads: readonly Workload[] = [];
let imported: readonly ImportedVm[] = [];
let terminal: TerminalPanel | undefined;
/** The SSH gateway's line with `{name}` for the workload, when the gateway is enabled. */
const sshTemplate = document.querySelector<HTMLMetaElement>('meta[name="voxnix-ssh"]')?.content;
const sshLine = (name: string) => sshTemplate?.replaceAll("{name}", name);

/** Shows a message at the top (errors in their own words). */
function notify(message: string, kind: "info" | "error" = "info"): void {
  sections.notice.textContent = message;
  sections.notice.className = `notice ${kind}`;
  sections.notice.hidden = false;
}

function describe(error: unknown): string {
  if (error instanceof ApiError)
    return error.body.issues?.length
      ? `${error.message} ${error.body.issues.map((issue) => issue.message).join(" ")}`
      : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action, showing its failure. */
async function attempt(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    notify(describe(error), "error");
  }
}

// Workloads

function stateBadge(workload: Workload): HTMLElement {
  const state = workload.status === "ready" ? workload.live : workload.status;
  return h("span", { class: `badge ${state}`, text: state, attrs: { "data-testid": `state-${workload.name}` } });
}

/** Local clock time of an ISO date, on the 24-hour clock like every other voxnix time: "14:05". */
function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/**
 * The idle warning (or the news of an idle stop) for the owner, where people without
 * Telegram see it: "web stops at 14:05 because nobody has used it", with a Keep button.
 */
function idleBanner(workload: Workload): HTMLElement | null {
  const notice = workload.idleNotice;
  if (!notice || (me?.role === "admin" && workload.owner !== me.id)) return null;
  const attrs = { role: "alert", "data-testid": `idle-${workload.name}` };
  if (notice.type === "stopped") {
    return h(
      "div",
      { class: "idle-banner stopped", attrs },
      `💤 ${workload.name} was stopped at ${clock(notice.at)} because nobody used it. Open its terminal, connect over SSH or press Start to bring it back.`,
    );
  }
  const keep = h("button", {
    text: `Keep ${workload.name} running`,
    attrs: { "data-action": `keep-${workload.name}` },
    on: {
      click: () =>
        void attempt(async () => {
          await api("POST", `/workloads/${encodeURIComponent(workload.name)}/keep`);
          notify(`${workload.name} keeps running.`);
        }),
    },
  });
  return h(
    "div",
    { class: "idle-banner warning", attrs },
    `⏰ ${workload.name} stops at ${clock(notice.stopsAt)} because nobody has used it. `,
    keep,
  );
}

function renderWorkloads(): void {
  const rows = workloads.map((workload) => {
    const running = workload.live === "running";
    // Opening the terminal of a workload stopped for idleness starts it again.
    const wakes = !running && workload.idleNotice?.type === "stopped";
    const button = (label: string, action: () => Promise<void>, disabled = false) =>
      h("button", {
        text: label,
        attrs: { ...(disabled ? { disabled: "" } : {}), "data-action": `${label.toLowerCase()}-${workload.name}` },
        on: { click: () => void attempt(action) },
      });
    return h(
      "li",
      { class: "workload", attrs: { "data-workload": workload.name } },
      h(
        "div",
        { class: "row" },
        h("strong", { text: workload.name }),
        stateBadge(workload),
        me?.role === "admin"
          ? h("span", {
              class: "muted owner",
              text: workload.owner,
              attrs: { "data-testid": `owner-${workload.name}` },
            })
          : null,
      ),
      h("div", {
        class: "muted",
        text: [workload.spec.modules.join(", ") || "no modules", workload.addresses.join(" ")]
          .filter(Boolean)
          .join(" · "),
      }),
      sshLine(workload.name) && (me?.role !== "admin" || workload.owner === me.id)
        ? h(
            "div",
            { class: "small" },
            "SSH: ",
            h("code", { text: sshLine(workload.name)!, attrs: { "data-testid": `ssh-${workload.name}` } }),
          )
        : null,
      idleBanner(workload),
      h(
        "div",
        { class: "actions" },
        button("Start", () => lifecycle(workload.name, "start"), running),
        button("Stop", () => lifecycle(workload.name, "stop"), !running),
        button("Restart", () => lifecycle(workload.name, "restart"), !running),
        button("Terminal", async () => showTerminal(workload.name), !running && !wakes),
        button("Logs", () => showLogs(workload.name)),
        button("Destroy", () => planDestroy(workload.name)),
      ),
    );
  });
  // Imported VMs: shown read-only, with no buttons (voxnix never changes them).
  const importedRows = imported.map((vm) =>
    h(
      "li",
      { class: "workload", attrs: { "data-imported": vm.name } },
      h(
        "div",
        { class: "row" },
        h("strong", { text: vm.name }),
        h("span", { class: "muted", text: `${vm.live} · imported VM ${vm.vmid}, read-only` }),
        me?.role === "admin" ? h("span", { class: "muted owner", text: vm.owner }) : null,
      ),
      vm.note ? h("div", { class: "muted", text: vm.note }) : null,
    ),
  );
  replace(
    sections.workloads,
    h("h2", { text: me?.role === "admin" ? "All workloads" : "Your workloads" }),
    rows.length > 0
      ? h("ul", { class: "list" }, ...rows)
      : h("p", { class: "muted", text: "No workloads yet. Create one below." }),
    ...(importedRows.length > 0
      ? [
          h("h3", { text: "Imported VMs (read-only)" }),
          h("ul", { class: "list", attrs: { "data-testid": "imported" } }, ...importedRows),
        ]
      : []),
  );
}

async function lifecycle(name: string, verb: "start" | "stop" | "restart"): Promise<void> {
  notify(`${verb[0]!.toUpperCase()}${verb.slice(1)}ing ${name}…`);
  const view = await api<Workload>("POST", `/workloads/${encodeURIComponent(name)}/${verb}`);
  workloads = workloads.map((workload) => (workload.name === name ? view : workload));
  renderWorkloads();
  notify(`${name} is ${view.live}.`);
}

async function showLogs(name: string): Promise<void> {
  const entries = await api<readonly { time?: string; message: string }[]>(
    "GET",
    `/workloads/${encodeURIComponent(name)}/logs?lines=100`,
  );
  const text = entries.map((entry) => `${entry.time ? `${entry.time.slice(11, 19)} ` : ""}${entry.message}`).join("\n");
  showDialog(
    `Logs of ${name}`,
    h("pre", { class: "logs", text: text || "(no log lines)", attrs: { "data-testid": "logs" } }),
    [{ label: "Close", action: async () => hideDialog() }],
  );
}

function showTerminal(name: string): void {
  terminal?.close();
  terminal = openTerminal(sections.terminal, name, () => (terminal = undefined));
  sections.terminal.scrollIntoView({ behavior: "smooth" });
}

// Destroy: the plan, then an explicit confirm.

async function planDestroy(name: string): Promise<void> {
  try {
    await api("DELETE", `/workloads/${encodeURIComponent(name)}`);
  } catch (error) {
    if (
      !(error instanceof ApiError) ||
      error.body.kind !== "needs-confirmation" ||
      !error.body.plan ||
      !error.body.token
    )
      throw error;
    const { plan, token } = error.body;
    showDialog(
      `Destroy ${name}?`,
      h(
        "div",
        {},
        h("p", { text: "This will remove:" }),
        h("ul", {}, ...plan.removes.map((item) => h("li", { text: item }))),
        plan.keeps.length > 0 ? h("p", { text: "Kept:" }) : null,
        plan.keeps.length > 0 ? h("ul", {}, ...plan.keeps.map((item) => h("li", { text: item }))) : null,
      ),
      [
        {
          label: `Destroy ${name}`,
          danger: true,
          action: async () => {
            hideDialog();
            const started = await api<{ job: Job }>("POST", "/confirmations", { token });
            followJob(started.job);
          },
        },
        { label: "Cancel", action: async () => hideDialog() },
      ],
    );
    return;
  }
}

function showDialog(
  title: string,
  content: Node,
  buttons: readonly { label: string; danger?: boolean; action: () => Promise<void> }[],
): void {
  replace(
    sections.dialog,
    h("h2", { text: title }),
    content,
    h(
      "div",
      { class: "actions" },
      ...buttons.map((button) =>
        h("button", {
          text: button.label,
          class: button.danger ? "danger" : "",
          on: { click: () => void attempt(button.action) },
        }),
      ),
    ),
  );
  sections.dialog.hidden = false;
  sections.dialog.scrollIntoView({ behavior: "smooth" });
}

function hideDialog(): void {
  sections.dialog.hidden = true;
  replace(sections.dialog);
}

// Jobs: progress from each job's event stream.

const jobRows = new Map<string, HTMLElement>();

function followJob(job: Job): void {
  sections.jobs.hidden = false;
  if (!sections.jobs.querySelector("h2")) sections.jobs.prepend(h("h2", { text: "Progress" }));
  const line = h("li", { attrs: { "data-job": job.id } });
  const show = (state: string, text: string) =>
    replace(
      line,
      h("strong", { text: `${job.kind} ${job.workload}` }),
      " ",
      h("span", { class: `badge ${state}`, text: state }),
      " ",
      h("span", { text }),
    );
  show(job.state, job.progress || "started");
  jobRows.set(job.id, line);
  let list = sections.jobs.querySelector("ul");
  if (!list) sections.jobs.append((list = h("ul", { class: "list" })));
  list.prepend(line);
  const events = new EventSource(`/api/v1/jobs/${encodeURIComponent(job.id)}/events`);
  const onProgress = (event: MessageEvent<string>) => {
    const data = JSON.parse(event.data) as { message?: string; line?: string };
    show("running", data.message ?? data.line ?? "");
  };
  events.addEventListener("step", onProgress);
  events.addEventListener("log", onProgress);
  events.addEventListener("job-end", (event: MessageEvent<string>) => {
    events.close();
    const { job: ended } = JSON.parse(event.data) as { job: Job };
    show(ended.state, ended.error?.message ?? (ended.state === "succeeded" ? "done" : ended.progress));
    const getIn =
      ended.state === "succeeded" && ended.kind !== "destroy" && sshLine(ended.workload)
        ? ` Get in: Terminal below, or ${sshLine(ended.workload)}`
        : "";
    notify(
      ended.state === "succeeded"
        ? `${ended.kind} of ${ended.workload}: done.${getIn}`
        : `${ended.kind} of ${ended.workload} ${ended.state}: ${ended.error?.message ?? ""}`,
      ended.state === "succeeded" ? "info" : "error",
    );
    void attempt(refreshStorage);
  });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) show("unknown", "lost the progress stream");
  };
}

// Create, with the module picker.

function renderCreate(modules: readonly ModuleInfo[]): void {
  const name = h("input", {
    attrs: {
      name: "name",
      required: "",
      maxlength: "11",
      pattern: "[a-z][a-z0-9-]*",
      placeholder: "e.g. dev",
      autocomplete: "off",
      "data-testid": "create-name",
    },
  });
  const options = h("div", { class: "options" });
  const checks = new Map<string, HTMLInputElement>();
  const optionInputs = new Map<string, HTMLInputElement>();
  const renderOptions = () => {
    const fields = [...checks]
      .filter(([, box]) => box.checked)
      .flatMap(([moduleName]) => {
        const module = modules.find((candidate) => candidate.name === moduleName)!;
        return Object.entries(module.options).map(([key, option]) => {
          const id = `${moduleName}.${key}`;
          const input =
            optionInputs.get(id) ??
            h("input", {
              attrs: {
                name: id,
                type: option.type === "boolean" ? "checkbox" : option.type === "string" ? "text" : "number",
              },
            });
          if (!optionInputs.has(id)) {
            if (option.type === "boolean") input.checked = option.default === true;
            else input.value = String(option.default);
            optionInputs.set(id, input);
          }
          return h(
            "label",
            { class: "option" },
            `${id} `,
            input,
            h("span", { class: "muted", text: ` ${option.description}` }),
          );
        });
      });
    replace(options, ...fields);
  };
  const picker = h(
    "div",
    { class: "modules" },
    ...modules.map((module) => {
      const box = h("input", {
        attrs: { type: "checkbox", value: module.name, "data-module": module.name },
        on: { change: renderOptions },
      });
      checks.set(module.name, box);
      return h(
        "label",
        { class: "module" },
        box,
        h("strong", { text: ` ${module.name}` }),
        h("span", { class: "muted", text: ` — ${module.description}` }),
      );
    }),
  );
  const workspace = h("input", {
    attrs: { name: "workspace", placeholder: "workspace size, e.g. 5G (optional)", autocomplete: "off" },
  });
  const form = h(
    "form",
    {
      on: {
        submit: (event) => {
          event.preventDefault();
          void attempt(async () => {
            const chosen = [...checks].filter(([, box]) => box.checked).map(([moduleName]) => moduleName);
            const moduleOptions: Record<string, Record<string, string | number | boolean>> = {};
            for (const [id, input] of optionInputs) {
              const [moduleName, key] = id.split(".") as [string, string];
              if (!chosen.includes(moduleName)) continue;
              const option = modules.find((candidate) => candidate.name === moduleName)?.options[key];
              if (!option) continue;
              const value =
                option.type === "boolean"
                  ? input.checked
                  : option.type === "string"
                    ? input.value
                    : Number(input.value);
              if (value !== option.default) (moduleOptions[moduleName] ??= {})[key] = value;
            }
            const body = {
              name: name.value.trim(),
              modules: chosen,
              ...(Object.keys(moduleOptions).length > 0 ? { moduleOptions } : {}),
              ...(workspace.value.trim() ? { workspace: { enabled: true, size: workspace.value.trim() } } : {}),
            };
            const started = await api<{ job: Job }>("POST", "/workloads", body);
            notify(`Creating ${body.name}…`);
            followJob(started.job);
            form.reset();
            renderOptions();
          });
        },
      },
    },
    h("label", {}, "Name ", name),
    h("p", { class: "muted", text: "Modules:" }),
    picker,
    options,
    h("label", {}, workspace),
    h("button", { class: "primary", text: "Create", attrs: { type: "submit", "data-testid": "create-submit" } }),
  );
  replace(sections.create, h("h2", { text: "Create a workload" }), form);
}

// Storage and restore.

/** The latest storage report, drawn again whenever the workload list changes. */
let storageReport: StorageReport | undefined;
/** Counts storage requests: only the newest one's answer is drawn (answers can arrive out of order). */
let storageRequests = 0;

async function refreshStorage(): Promise<void> {
  const ticket = (storageRequests += 1);
  const report = await api<StorageReport>("GET", "/storage");
  if (ticket !== storageRequests) return;
  storageReport = report;
  renderStorage();
}

/**
 * Draws the storage card from the latest report and the *current* list: what can be restored
 * is a kept snapshot of a name that is not in the list now, so the card follows the list even
 * when the report was fetched before a destroy's last step.
 */
function renderStorage(): void {
  const report = storageReport;
  if (report === undefined) return;
  const { usedBytes, quotaBytes } = report.usage;
  const share = quotaBytes ? Math.min(100, Math.round((usedBytes / quotaBytes) * 100)) : 0;
  const meter = h("div", { class: "meter" }, h("div", { class: "meter-fill", attrs: { style: `width:${share}%` } }));
  const now = Date.now();
  const restorable = report.snapshots.filter(
    (snapshot) =>
      new Date(snapshot.expiresAt).getTime() > now &&
      !workloads.some((workload) => workload.name === snapshot.workload),
  );
  replace(
    sections.storage,
    h("h2", { text: "Storage" }),
    h("p", {
      text: quotaBytes
        ? `${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} used`
        : `${formatBytes(usedBytes)} used (${report.quotasEnforced ? "no quota" : `quotas are not enforced by the ${report.driver} driver`})`,
      attrs: { "data-testid": "storage-used" },
    }),
    quotaBytes ? meter : null,
    restorable.length > 0 ? h("h3", { text: "Restorable" }) : null,
    restorable.length > 0
      ? h(
          "ul",
          { class: "list" },
          ...restorable.map((snapshot) =>
            h(
              "li",
              {},
              h("strong", { text: snapshot.workload }),
              h("span", { class: "muted", text: ` until ${new Date(snapshot.expiresAt).toLocaleString()} ` }),
              h("button", {
                text: "Restore",
                attrs: { "data-action": `restore-${snapshot.workload}` },
                on: {
                  click: () =>
                    void attempt(async () => {
                      const started = await api<{ job: Job }>(
                        "POST",
                        `/workloads/${encodeURIComponent(snapshot.workload)}/restore`,
                      );
                      followJob(started.job);
                    }),
                },
              }),
            ),
          ),
        )
      : null,
  );
}

// Admins: users with their limits, and the audit log (admin.ts).

const admin: AdminContext = { users: sections.users, audit: sections.audit, attempt, notify };
const sshKeys: SshKeysContext = {
  section: sections.sshKeys,
  ...(sshTemplate ? { sshExample: sshTemplate } : {}),
  attempt,
  notify,
};

// Live state.

function watchWorkloads(): void {
  let events: EventSource | undefined;
  let ended = false;
  const open = () => {
    events = new EventSource("/api/v1/events");
    events.addEventListener("workloads", (event: MessageEvent<string>) => {
      const previous = new Set(workloads.map((workload) => workload.name));
      const listed = JSON.parse(event.data) as { workloads: readonly Workload[]; imported?: readonly ImportedVm[] };
      workloads = listed.workloads;
      imported = listed.imported ?? [];
      renderWorkloads();
      renderStorage();
      if (workloads.length !== previous.size || workloads.some((workload) => !previous.has(workload.name)))
        void attempt(refreshStorage);
    });
    // An administrator denied this account: say so and show nothing more (every call would be refused).
    events.addEventListener("access-ended", (event: MessageEvent<string>) => {
      events?.close();
      ended = true;
      terminal?.close();
      workloads = [];
      imported = [];
      for (const section of Object.values(sections)) if (section !== sections.notice) section.hidden = true;
      notify((JSON.parse(event.data) as { message: string }).message, "error");
    });
  };
  // Only while the page is visible: a phone in a pocket should not poll the appliance.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      events?.close();
      events = undefined;
    } else if (!events && !ended) open();
  });
  open();
}

async function start(): Promise<void> {
  me = await api<UserView>("GET", "/whoami");
  if (me.status !== "active") {
    notify(
      me.status === "pending"
        ? "Your account is waiting for an administrator's approval."
        : "An administrator has turned off your access.",
      "error",
    );
    return;
  }
  const [list, modules] = await Promise.all([
    api<{ workloads: readonly Workload[]; imported?: readonly ImportedVm[] }>("GET", "/workloads"),
    api<readonly ModuleInfo[]>("GET", "/modules"),
  ]);
  workloads = list.workloads;
  imported = list.imported ?? [];
  renderWorkloads();
  renderCreate(modules);
  await Promise.all([
    refreshStorage(),
    refreshSshKeys(sshKeys),
    me.role === "admin" ? refreshUsers(admin) : undefined,
    me.role === "admin" ? showAudit(admin) : undefined,
  ]);
  watchWorkloads();
  // After a reload, the terminal this tab had open comes back to the same shell (the server keeps it for a while).
  const reopen = reattachableTerminals().find((name) =>
    workloads.some((workload) => workload.name === name && workload.live === "running"),
  );
  if (reopen) showTerminal(reopen);
}

void attempt(start);
