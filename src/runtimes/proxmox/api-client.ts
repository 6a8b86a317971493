/**
 * A small typed client for the Proxmox VE REST API (`https://<host>:8006/api2/json/…`). It
 * authenticates with an API token — `Authorization: PVEAPIToken=<user>@<realm>!<tokenid>=<secret>`
 * (pve-docs `pveum.adoc`, "API Tokens") — whose secret is read from a file, kept only in this
 * object, and never logged, put in an error or passed on a command line. Requests go through
 * undici's `fetch` (the implementation behind Node's platform `fetch`) with a dispatcher that
 * enforces the configured trust (see `tls.ts`); every request has a timeout; parameters are
 * form-encoded as Proxmox's own clients send them; answers are checked with zod.
 *
 * (The npm `proxmox-api` package is GPL-3.0 and cannot be used by this MIT project.)
 *
 * @module
 */
import type { z } from "zod";
import { fetch, type Agent } from "undici";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import { REDACTED } from "../../domain/redaction.js";
import type { Logger } from "../../ports/logger.js";
import { NODE_UNREACHABLE_STATUS, ProxmoxApiError } from "./api-error.js";
import { errorEnvelopeSchema } from "./schemas.js";
import { createTrustingDispatcher, FingerprintMismatchError, type TlsTrust } from "./tls.js";

/**
 * Query or form parameters; `undefined` values are left out, booleans become 0/1 as Proxmox
 * expects, and an array (Proxmox's `type => 'array'` parameters) repeats its key per element.
 */
export type ProxmoxParams = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface ProxmoxClientOptions {
  /** `https://host:8006` (no path). */
  readonly baseUrl: string;
  /** `user@realm!tokenid`. */
  readonly tokenId: string;
  /** Reads the token secret (a UUID) from its file; called once, and again after a 401. */
  readonly readTokenSecret: () => Promise<string>;
  readonly trust: TlsTrust;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** One answer: the envelope's `data`, and `total` when Proxmox sent one (task logs). */
export interface ProxmoxAnswer<T> {
  readonly data: T;
  readonly total?: number;
}

/** The client. Create one per runtime; `close()` releases its connections. */
export class ProxmoxClient {
  readonly #options: ProxmoxClientOptions;
  readonly #dispatcher: Agent;
  readonly #logger: Logger;
  #secret: string | undefined;

  constructor(options: ProxmoxClientOptions) {
    this.#options = options;
    this.#dispatcher = createTrustingDispatcher(options.trust, options.timeoutMs);
    this.#logger = options.logger.child({ component: "proxmox-api" });
  }

  get<S extends z.ZodType>(path: string, schema: S, query: ProxmoxParams = {}): Promise<z.output<S>> {
    return this.call("GET", path, schema, query).then((answer) => answer.data);
  }

  post<S extends z.ZodType>(path: string, schema: S, params: ProxmoxParams = {}): Promise<z.output<S>> {
    return this.call("POST", path, schema, params).then((answer) => answer.data);
  }

  put<S extends z.ZodType>(path: string, schema: S, params: ProxmoxParams = {}): Promise<z.output<S>> {
    return this.call("PUT", path, schema, params).then((answer) => answer.data);
  }

  delete<S extends z.ZodType>(path: string, schema: S, query: ProxmoxParams = {}): Promise<z.output<S>> {
    return this.call("DELETE", path, schema, query).then((answer) => answer.data);
  }

  /** One API call; parameters go in the query for GET/DELETE and in a form body otherwise. */
  async call<S extends z.ZodType>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    schema: S,
    params: ProxmoxParams = {},
  ): Promise<ProxmoxAnswer<z.output<S>>> {
    const what = `${method} ${path}`;
    let response = await this.#send(method, path, params, await this.#tokenSecret());
    if (response.status === 401) {
      // The secret file may have been rotated since it was read: read it once more.
      await response.body?.cancel();
      this.#secret = undefined;
      response = await this.#send(method, path, params, await this.#tokenSecret());
    }
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) throw this.#failure(response.status, response.statusText, body, what);
    const envelope = body as { data?: unknown; total?: unknown } | undefined;
    const parsed = schema.safeParse(envelope?.data);
    if (!parsed.success) {
      throw new HostFailureError(
        `The Proxmox API answered ${what} with something voxnix does not understand.`,
        `unexpected answer shape: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
      );
    }
    const total =
      typeof envelope?.total === "number"
        ? envelope.total
        : typeof envelope?.total === "string"
          ? Number(envelope.total)
          : undefined;
    return total === undefined ? { data: parsed.data } : { data: parsed.data, total };
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** Replaces the secret (and the full header form) wherever it appears in `text`. */
  scrub(text: string): string {
    const secret = this.#secret;
    if (secret === undefined || secret.length === 0) return text;
    return text.split(secret).join(REDACTED);
  }

  async #tokenSecret(): Promise<string> {
    this.#secret ??= await this.#options.readTokenSecret();
    return this.#secret;
  }

  async #send(method: string, path: string, params: ProxmoxParams, secret: string) {
    const url = new URL(`/api2/json${path}`, this.#options.baseUrl);
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      const target = method === "GET" || method === "DELETE" ? url.searchParams : form;
      if (Array.isArray(value)) for (const element of value as readonly string[]) target.append(key, element);
      else target.set(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
    }
    const started = Date.now();
    try {
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `PVEAPIToken=${this.#options.tokenId}=${secret}`,
          accept: "application/json",
          ...(method === "POST" || method === "PUT" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body: method === "POST" || method === "PUT" ? form.toString() : undefined,
        redirect: "error",
        dispatcher: this.#dispatcher,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      this.#logger.debug({ method, path, status: response.status, ms: Date.now() - started }, "proxmox request");
      return response;
    } catch (error) {
      throw this.#transportFailure(error, `${method} ${path}`);
    }
  }

  #transportFailure(error: unknown, what: string): Error {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new TimeoutError(
        `The Proxmox API did not answer within ${this.#options.timeoutMs / 1000} s (${what}).`,
        this.#options.timeoutMs,
      );
    }
    const cause = rootCause(error);
    if (cause instanceof FingerprintMismatchError) {
      this.#logger.warn({ expected: cause.expected, actual: cause.actual }, "proxmox certificate fingerprint mismatch");
      return new HostFailureError(
        "The Proxmox server's certificate does not match proxmox.tls.fingerprint; voxnix refused to talk to it. If the certificate was renewed on purpose, update the fingerprint.",
        cause.message,
      );
    }
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? "";
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return new HostFailureError(
        "The Proxmox server's certificate is not trusted; set proxmox.tls.caFile (the cluster's pve-root-ca.pem) or proxmox.tls.fingerprint. Verification is never switched off.",
        `TLS: ${code}`,
      );
    }
    return new HostFailureError(
      `The Proxmox API at ${this.#options.baseUrl} could not be reached.`,
      this.scrub(`${what}: ${code || (cause as Error | undefined)?.message || String(error)}`),
    );
  }

  #failure(status: number, statusText: string, body: unknown, what: string): ProxmoxApiError {
    const envelope = errorEnvelopeSchema.safeParse(body);
    const pveMessage = this.scrub(
      (envelope.success ? envelope.data.message : undefined)?.trim() || statusText.trim() || `HTTP ${status}`,
    );
    const parameterErrors = Object.fromEntries(
      Object.entries((envelope.success ? envelope.data.errors : undefined) ?? {}).map(([key, value]) => [
        key,
        this.scrub(value.trim()),
      ]),
    );
    const fieldText = Object.entries(parameterErrors)
      .map(([key, value]) => `${key}: ${value}`)
      .join("; ");
    const detail = `${what} → HTTP ${status}: ${pveMessage}${fieldText ? ` (${fieldText})` : ""}`;
    this.#logger.debug({ status, what, pveMessage }, "proxmox request failed");
    switch (true) {
      case status === 401:
        return new ProxmoxApiError(
          `The Proxmox API refused voxnix's token (HTTP 401): check proxmox.tokenId (${this.#options.tokenId}) and the secret in proxmox.tokenSecretFile, and that the token has not expired.`,
          status,
          pveMessage,
          parameterErrors,
          detail,
        );
      case status === 403:
        return new ProxmoxApiError(
          `The Proxmox token may not do this (${pveMessage}); see docs/proxmox.md for the role and pool it needs.`,
          status,
          pveMessage,
          parameterErrors,
          detail,
        );
      case status === NODE_UNREACHABLE_STATUS:
        return new ProxmoxApiError(
          `A Proxmox node could not be reached (${pveMessage}).`,
          status,
          pveMessage,
          parameterErrors,
          detail,
        );
      default:
        return new ProxmoxApiError(
          `The Proxmox API failed: ${pveMessage}${fieldText ? ` (${fieldText})` : ""}.`,
          status,
          pveMessage,
          parameterErrors,
          detail,
        );
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth += 1)
    current = current.cause;
  return current;
}

/** Encodes one path segment (node name, VMID, UPID). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
