/**
 * The slice of the Tailscale API voxnix uses: an OAuth client's access token
 * (`POST /api/v2/oauth/token`, client credentials) and a new auth key
 * (`POST /api/v2/tailnet/<tailnet>/keys`) that is single-use, pre-authorised and tagged. Platform
 * `fetch`, a timeout on every request, zod-checked responses, and errors that never carry the
 * client secret, the access token or a key.
 *
 * @module
 */
import { z } from "zod";
import { HostFailureError, TimeoutError } from "../../../domain/errors.js";

/** What a minted key is allowed to do; see the Tailscale API's `capabilities.devices.create`. */
export interface AuthKeyRequest {
  readonly tags: readonly string[];
  readonly ephemeral: boolean;
  readonly expirySeconds: number;
  /** Shown in the admin console; letters, digits, spaces and hyphens. */
  readonly description: string;
}

/** A minted key: the secret itself and its id (for the admin console). */
export interface MintedKey {
  readonly id: string;
  readonly key: string;
}

/** Where and how to reach the API. */
export interface TailscaleApiOptions {
  /** Base URL, `https://api.tailscale.com` (a fake in tests). */
  readonly baseUrl: string;
  /** Tailnet name, or `-` for the OAuth client's own tailnet. */
  readonly tailnet: string;
  readonly clientId: string;
  /** Reads the client secret; called per token request so the secret is held only briefly. */
  readonly readClientSecret: () => Promise<string>;
  readonly timeoutMs: number;
  /** How many times a 429 answer is retried (after its Retry-After, at most `maxRetryWaitMs`). */
  readonly retries?: number;
  readonly maxRetryWaitMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });
const keyResponse = z.object({ id: z.string().min(1), key: z.string().min(1) });
const errorResponse = z.object({ message: z.string() }).partial();

/** A Tailscale API client that caches its access token until shortly before it expires. */
export class TailscaleApi {
  #token: { readonly value: string; readonly expiresAt: number } | undefined;

  constructor(private readonly options: TailscaleApiOptions) {}

  /** Mints one auth key with `request`'s capabilities. */
  async createAuthKey(request: AuthKeyRequest): Promise<MintedKey> {
    const body = {
      capabilities: {
        devices: {
          create: { reusable: false, ephemeral: request.ephemeral, preauthorized: true, tags: [...request.tags] },
        },
      },
      expirySeconds: request.expirySeconds,
      description: request.description,
    };
    const path = `/api/v2/tailnet/${encodeURIComponent(this.options.tailnet)}/keys`;
    const send = async (token: string) =>
      this.#request(
        path,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        },
        "create an auth key",
      );
    let response = await send(await this.#accessToken());
    // A token revoked or expired early: fetch a new one once.
    if (response.status === 401) {
      this.#token = undefined;
      response = await send(await this.#accessToken());
    }
    if (!response.ok) throw await apiFailure(response, "create an auth key", request.tags);
    const parsed = keyResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new HostFailureError(
        "The Tailscale API answered the key request with something that is not a key.",
        "unexpected response shape (not shown)",
      );
    return { id: parsed.data.id, key: parsed.data.key };
  }

  async #accessToken(): Promise<string> {
    const now = this.options.now?.() ?? Date.now();
    if (this.#token && this.#token.expiresAt > now) return this.#token.value;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.options.clientId,
      client_secret: await this.options.readClientSecret(),
    });
    const response = await this.#request(
      "/api/v2/oauth/token",
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() },
      "get an OAuth access token",
    );
    if (!response.ok) throw await apiFailure(response, "get an OAuth access token", []);
    const parsed = tokenResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new HostFailureError(
        "The Tailscale API answered the token request with something that is not a token.",
        "unexpected response shape (not shown)",
      );
    // Renew a minute early; the API's tokens last an hour.
    this.#token = {
      value: parsed.data.access_token,
      expiresAt: now + Math.max(0, (parsed.data.expires_in ?? 3600) - 60) * 1000,
    };
    return this.#token.value;
  }

  // One request with a timeout, retrying 429 answers after their Retry-After.
  async #request(path: string, init: RequestInit, what: string): Promise<Response> {
    const retries = this.options.retries ?? 2;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(new URL(path, this.options.baseUrl), {
          ...init,
          redirect: "error",
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === "TimeoutError")
          throw new TimeoutError(
            `The Tailscale API did not answer within ${this.options.timeoutMs / 1000} s (${what}).`,
            this.options.timeoutMs,
          );
        throw new HostFailureError(`The Tailscale API could not be reached to ${what}.`, (error as Error).message, {
          cause: error,
        });
      }
      if (response.status !== 429 || attempt >= retries) return response;
      const wait = Math.min(this.options.maxRetryWaitMs ?? 10_000, retryAfterMs(response.headers.get("retry-after")));
      await response.body?.cancel();
      await sleep(wait);
    }
  }
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

// The API's own message is safe to show (it never echoes credentials); the request is not.
async function apiFailure(response: Response, what: string, tags: readonly string[]): Promise<HostFailureError> {
  const detail = errorResponse.safeParse(await response.json().catch(() => ({}))).data?.message ?? "";
  const suffix = detail ? ` (HTTP ${response.status}: ${detail})` : ` (HTTP ${response.status})`;
  switch (response.status) {
    case 401:
      return new HostFailureError(
        `The Tailscale OAuth client was refused: check tailscale.oauthClientId and the secret in tailscale.oauthClientSecretFile.`,
        `could not ${what}${suffix}`,
      );
    case 403:
      return new HostFailureError(
        `The Tailscale OAuth client may not ${what}: it needs the auth_keys scope and must own the tags ${tags.join(", ") || "(none)"} (tailscale.tags).`,
        `could not ${what}${suffix}`,
      );
    case 429:
      return new HostFailureError(
        "The Tailscale API is rate-limiting voxnix; try again in a minute.",
        `could not ${what}${suffix}`,
      );
    default:
      return new HostFailureError(`The Tailscale API could not ${what}.`, `could not ${what}${suffix}`);
  }
}
