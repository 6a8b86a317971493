/**
 * The dashboard's admin views: every user with their status and limits (approve, deny, change
 * limits) and the audit log with filters (who, workload, operation, outcome, time range),
 * newest first, a page at a time. Only shown to admins; the API refuses everyone else (403)
 * whatever this page does. Built from small lists, not wide tables, so it reads on a phone.
 *
 * @module
 */
import { api, type AuditEntry, type AuditPage, type UserView } from "./api.js";
import { formatBytes, h, replace } from "./dom.js";

/** What the admin views need from the dashboard. */
export interface AdminContext {
  readonly users: HTMLElement;
  readonly audit: HTMLElement;
  readonly attempt: (action: () => Promise<void>) => Promise<void>;
  readonly notify: (message: string, kind?: "info" | "error") => void;
}

function limitsText(user: UserView): string {
  const limits = user.limits;
  if (!limits) return "";
  return `${limits.maxWorkloads} workloads · ${formatBytes(limits.diskQuotaBytes)} disk · ${limits.cpuBudget} CPUs · ${formatBytes(limits.memoryBudgetBytes)} memory · ${limits.pidsBudget} processes`;
}

/** "20 GiB" → "20G": the size form the API takes. */
function sizeInput(bytes: number): string {
  const units: readonly [string, number][] = [
    ["T", 1024 ** 4],
    ["G", 1024 ** 3],
    ["M", 1024 ** 2],
  ];
  for (const [suffix, size] of units) if (bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

/** Renders the users list with approve/deny and the limits editor. */
export async function refreshUsers(context: AdminContext): Promise<void> {
  const users = await api<readonly UserView[]>("GET", "/users");
  context.users.hidden = false;
  const decide = (id: string, verb: "approve" | "deny") =>
    context.attempt(async () => {
      await api("POST", `/users/${encodeURIComponent(id)}/${verb}`);
      context.notify(`${id}: ${verb === "approve" ? "approved" : "denied"}.`);
      await refreshUsers(context);
    });
  const pending = users.filter((user) => user.status === "pending").length;
  replace(
    context.users,
    h("h2", { text: pending > 0 ? `Users (${pending} waiting for approval)` : "Users" }),
    h(
      "ul",
      { class: "list" },
      ...users.map((user) => {
        const editor = h("div", { class: "limits-editor", attrs: { hidden: "" } });
        const row = h(
          "li",
          { attrs: { "data-user": user.id } },
          h(
            "div",
            { class: "row" },
            h("strong", { text: user.id }),
            user.displayName ? h("span", { class: "muted", text: user.displayName }) : null,
            h("span", { class: `badge ${user.status}`, text: user.status }),
            h("span", { class: "muted", text: `${user.role}, ${user.workloads} workload(s)` }),
          ),
          h("div", { class: "muted small", text: limitsText(user), attrs: { "data-testid": `limits-${user.id}` } }),
          h(
            "div",
            { class: "actions" },
            user.status !== "active"
              ? h("button", {
                  text: "Approve",
                  attrs: { "data-action": `approve-${user.id}` },
                  on: { click: () => void decide(user.id, "approve") },
                })
              : null,
            user.status !== "denied" && user.role !== "admin"
              ? h("button", {
                  text: "Deny",
                  attrs: { "data-action": `deny-${user.id}` },
                  on: { click: () => void decide(user.id, "deny") },
                })
              : null,
            user.limits
              ? h("button", {
                  text: "Limits",
                  attrs: { "data-action": `limits-${user.id}` },
                  on: { click: () => toggleEditor(context, user, editor) },
                })
              : null,
            h("button", {
              text: "Audit",
              attrs: { "data-action": `audit-${user.id}` },
              on: { click: () => void context.attempt(() => showAudit(context, { user: user.id })) },
            }),
          ),
          editor,
        );
        return row;
      }),
    ),
  );
}

function toggleEditor(context: AdminContext, user: UserView, editor: HTMLElement): void {
  if (!editor.hidden) {
    editor.hidden = true;
    replace(editor);
    return;
  }
  const limits = user.limits!;
  const field = (name: string, label: string, value: string, hint: string) =>
    h(
      "label",
      {},
      `${label} `,
      h("input", {
        attrs: {
          name,
          value,
          autocomplete: "off",
          inputmode: hint === "size" ? "text" : "numeric",
          "data-limit": name,
        },
      }),
      h("span", { class: "muted", text: hint === "size" ? " like 20G" : "" }),
    );
  const form = h(
    "form",
    {
      on: {
        submit: (event) => {
          event.preventDefault();
          void context.attempt(async () => {
            const value = (name: string) =>
              (form.querySelector(`input[name="${name}"]`) as HTMLInputElement).value.trim();
            const body: Record<string, string | number> = {};
            const numbers: readonly [string, number][] = [
              ["maxWorkloads", limits.maxWorkloads],
              ["cpuBudget", limits.cpuBudget],
              ["pidsBudget", limits.pidsBudget],
            ];
            for (const [name, current] of numbers)
              if (value(name) !== String(current)) body[name] = Number(value(name));
            const sizes: readonly [string, number][] = [
              ["diskQuota", limits.diskQuotaBytes],
              ["memoryBudget", limits.memoryBudgetBytes],
            ];
            for (const [name, current] of sizes) if (value(name) !== sizeInput(current)) body[name] = value(name);
            if (Object.keys(body).length === 0) {
              context.notify("Nothing changed.");
              return;
            }
            await api("PATCH", `/users/${encodeURIComponent(user.id)}/limits`, body);
            context.notify(`${user.id}: limits saved.`);
            await refreshUsers(context);
          });
        },
      },
    },
    field("maxWorkloads", "Workloads", String(limits.maxWorkloads), "count"),
    field("diskQuota", "Disk quota", sizeInput(limits.diskQuotaBytes), "size"),
    field("cpuBudget", "CPUs", String(limits.cpuBudget), "count"),
    field("memoryBudget", "Memory", sizeInput(limits.memoryBudgetBytes), "size"),
    field("pidsBudget", "Processes", String(limits.pidsBudget), "count"),
    h("button", {
      class: "primary",
      text: "Save limits",
      attrs: { type: "submit", "data-action": `save-limits-${user.id}` },
    }),
  );
  replace(editor, form);
  editor.hidden = false;
}

// The audit log.

/** Filters the audit view understands (the API's query parameters). */
export interface AuditFilters {
  readonly user?: string;
  readonly workload?: string;
  readonly operation?: string;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
}

function query(filters: AuditFilters, before?: number): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(filters))
    if (typeof value === "string" && value.trim() !== "")
      parameters.set(key, key === "since" || key === "until" ? new Date(value).toISOString() : value.trim());
  if (before !== undefined) parameters.set("before", String(before));
  parameters.set("limit", "25");
  return parameters.toString();
}

function entryLine(entry: AuditEntry): HTMLElement {
  const when = new Date(entry.startedAt);
  const args =
    entry.args && typeof entry.args === "object" && Object.keys(entry.args).length > 0
      ? JSON.stringify(entry.args)
      : "";
  return h(
    "li",
    { class: "audit-entry", attrs: { "data-audit": String(entry.id) } },
    h(
      "div",
      { class: "row" },
      h("span", { class: "muted", text: when.toLocaleString() }),
      h("strong", { text: entry.operation }),
      entry.target ? h("span", { text: entry.target }) : null,
      h("span", {
        class: `badge ${entry.outcome === "ok" ? "succeeded" : "failed"}`,
        text: entry.outcome === "ok" ? "ok" : (entry.errorKind ?? "error"),
      }),
    ),
    h("div", {
      class: "muted small",
      text: `${entry.actor} · ${Math.round(entry.durationMs)} ms${args ? ` · ${args}` : ""}`,
    }),
  );
}

let currentFilters: AuditFilters = {};

/** Renders the audit log's filter form and first page. */
export async function showAudit(context: AdminContext, filters: AuditFilters = currentFilters): Promise<void> {
  currentFilters = filters;
  context.audit.hidden = false;
  const input = (name: keyof AuditFilters, placeholder: string, type = "text") =>
    h("input", {
      attrs: { name, type, placeholder, value: filters[name] ?? "", autocomplete: "off", "data-filter": name },
    });
  const outcome = h(
    "select",
    { attrs: { name: "outcome", "data-filter": "outcome" } },
    ...["", "ok", "error"].map((value) =>
      h("option", {
        text: value === "" ? "any outcome" : value,
        attrs: { value, ...(filters.outcome === value ? { selected: "" } : {}) },
      }),
    ),
  );
  const form = h(
    "form",
    {
      class: "filters",
      on: {
        submit: (event) => {
          event.preventDefault();
          const data = new FormData(form);
          const read = (name: string) => {
            const value = data.get(name);
            return typeof value === "string" ? value.trim() : "";
          };
          void context.attempt(() =>
            showAudit(context, {
              user: read("user"),
              workload: read("workload"),
              operation: read("operation"),
              outcome: read("outcome"),
              since: read("since"),
              until: read("until"),
            }),
          );
        },
      },
    },
    input("user", "user, e.g. telegram:42"),
    input("workload", "workload"),
    input("operation", "operation, e.g. destroy"),
    outcome,
    h("label", { class: "inline" }, "from ", input("since", "", "datetime-local")),
    h("label", { class: "inline" }, "to ", input("until", "", "datetime-local")),
    h("button", { class: "primary", text: "Filter", attrs: { type: "submit", "data-testid": "audit-filter" } }),
  );
  const list = h("ul", { class: "list", attrs: { "data-testid": "audit-entries" } });
  const more = h("button", { text: "Older", attrs: { hidden: "", "data-testid": "audit-older" } });
  const page = await api<AuditPage>("GET", `/audit?${query(filters)}`);
  let next = page.next;
  const show = (entries: readonly AuditEntry[]) => {
    list.append(...entries.map(entryLine));
    more.hidden = next === undefined;
  };
  more.addEventListener(
    "click",
    () =>
      void context.attempt(async () => {
        if (next === undefined) return;
        const older = await api<AuditPage>("GET", `/audit?${query(filters, next)}`);
        next = older.next;
        show(older.entries);
      }),
  );
  replace(
    context.audit,
    h("h2", { text: "Audit log" }),
    form,
    page.entries.length === 0
      ? h("p", { class: "muted", text: "No records match.", attrs: { "data-testid": "audit-empty" } })
      : null,
    list,
    more,
  );
  show(page.entries);
}
