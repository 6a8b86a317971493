/**
 * The dashboard's client of the HTTP API (`/api/v1`, docs/http.md). The browser sends the
 * session cookie by itself; every request that changes something also carries the page's CSRF
 * token. Errors keep the API's error body (`kind`, `message`, and a destroy's `plan`/`token`).
 *
 * @module
 */

/** The API's error body. */
export interface ApiErrorBody {
  readonly kind: string;
  readonly message: string;
  readonly plan?: { readonly workload: string; readonly removes: readonly string[]; readonly keeps: readonly string[] };
  readonly token?: string;
  readonly expiresAt?: string;
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

/** A refused or failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

const csrfToken = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";

/** Calls the API; resolves with `result`, rejects with `ApiError`. A 401 sends the page back to the sign-in notice. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "x-csrf-token": csrfToken };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response
    .json()
    .catch(() => ({ ok: false, error: { kind: "internal", message: `HTTP ${response.status}` } }))) as {
    ok: boolean;
    result?: T;
    error?: ApiErrorBody;
  };
  if (response.status === 401) window.location.assign("/web/");
  if (!json.ok)
    throw new ApiError(response.status, json.error ?? { kind: "internal", message: `HTTP ${response.status}` });
  return json.result as T;
}

/** A workload as the API lists it. */
/** An imported cluster VM assigned to the person: shown, never changed. */
export interface ImportedVm {
  readonly name: string;
  readonly vmid: number;
  readonly owner: string;
  readonly live: string;
  readonly note?: string;
}

export interface Workload {
  readonly name: string;
  readonly owner: string;
  readonly status: string;
  readonly desired: string;
  readonly live: string;
  readonly addresses: readonly string[];
  readonly spec: { readonly modules: readonly string[] };
  /** A pending idle warning, or an idle stop (lists only). */
  readonly idleNotice?:
    { readonly type: "warning"; readonly stopsAt: string } | { readonly type: "stopped"; readonly at: string };
}

/** A job's state. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly workload: string;
  readonly state: string;
  readonly progress: string;
  readonly error?: { readonly message: string };
}

/** A module of the catalog. */
export interface ModuleInfo {
  readonly name: string;
  readonly description: string;
  readonly conflicts: readonly string[];
  readonly options: Readonly<
    Record<
      string,
      { readonly type: "port" | "int" | "string" | "boolean"; readonly default: unknown; readonly description: string }
    >
  >;
}

/** The caller's storage. */
export interface StorageReport {
  readonly driver: string;
  readonly quotasEnforced: boolean;
  readonly usage: { readonly usedBytes: number; readonly quotaBytes: number | null };
  readonly snapshots: readonly { readonly id: string; readonly workload: string; readonly expiresAt: string }[];
}

/** A user as admins see them. */
export interface UserView {
  readonly id: string;
  readonly role: string;
  readonly status: string;
  readonly workloads: number;
  readonly displayName?: string;
  readonly limits?: {
    readonly diskQuotaBytes: number;
    readonly maxWorkloads: number;
    readonly cpuBudget: number;
    readonly memoryBudgetBytes: number;
    readonly pidsBudget: number;
  };
}

/** One audit record (admins). */
export interface AuditEntry {
  readonly id: number;
  readonly actor: string;
  readonly operation: string;
  readonly target?: string;
  readonly args: unknown;
  readonly outcome: "ok" | "error";
  readonly errorKind?: string;
  readonly durationMs: number;
  readonly startedAt: string;
}

/** A page of the audit log; `next` is the cursor of the older page. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next?: number;
}
