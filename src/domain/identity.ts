/**
 * Who is asking: users, roles and the channel-qualified ids that identify them.
 *
 * Identity always comes from the transport (Telegram's `from.id`, the local shell, a web
 * token), never from message text or model output.
 *
 * @module
 */
import { z } from "zod";

/** The transports a user can arrive through. */
export const CHANNELS = ["telegram", "local", "web"] as const;
export type Channel = (typeof CHANNELS)[number];

/** A channel-qualified user id such as `telegram:123`, `local:admin` or `web:tok_1`. */
export type UserId = `${Channel}:${string}`;

const USER_ID_PATTERN = /^(telegram|local|web):[A-Za-z0-9_.-]{1,64}$/;

/** Zod schema for a user id. */
export const userIdSchema = z
  .string()
  .regex(USER_ID_PATTERN, 'A user id looks like "telegram:123", "local:admin" or "web:<token id>".')
  .transform((value) => value as UserId);

/** Returns true when `value` is a well-formed user id. */
export function isUserId(value: unknown): value is UserId {
  return typeof value === "string" && USER_ID_PATTERN.test(value);
}

/** The channel part of a user id. */
export function channelOf(userId: UserId): Channel {
  return userId.slice(0, userId.indexOf(":")) as Channel;
}

/**
 * A file-system and dataset safe key for a user, used for per-user storage
 * (`telegram:42` becomes `telegram_42`). Injective because ids never contain `_` before the colon.
 */
export function userStorageKey(userId: UserId): string {
  return userId.replace(":", "_");
}

export type Role = "admin" | "user";

/** `pending` users wait for an admin; `denied` users are refused everything. */
export type UserStatus = "pending" | "active" | "denied";

/** Per-user budgets enforced by the core. Sizes are bytes. */
export interface UserLimits {
  /** Disk quota across all of the user's workspaces. */
  readonly diskQuotaBytes: number;
  /** Workloads the user may own at once. */
  readonly maxWorkloads: number;
  /** CPUs summed over the user's workloads. */
  readonly cpuBudget: number;
  /** Memory summed over the user's workloads. */
  readonly memoryBudgetBytes: number;
  /** Processes (tasks) summed over the user's workloads' `pids` limits. */
  readonly pidsBudget: number;
  /**
   * The longest inactivity timeout the user's workloads may have (ms); absent or 0: no
   * maximum, so the user may choose any timeout or none.
   */
  readonly maxIdleTimeoutMs?: number;
  /**
   * The kind a create gets when the person does not say container or VM (absent: container).
   * An admin sets `vm` for people they trust less: a VM is the stronger boundary.
   */
  readonly defaultKind?: "container" | "vm";
  /** Containers are refused for this user: every workload is a VM. */
  readonly vmOnly?: boolean;
}

/** A user as the core sees it. */
export interface User {
  readonly id: UserId;
  readonly role: Role;
  readonly status: UserStatus;
  readonly limits: UserLimits;
  /** Display name from the transport (Telegram first name, …); informational only. */
  readonly displayName?: string;
  readonly createdAt: Date;
}

/**
 * The caller of a core operation, resolved by the adapter from its transport.
 * Carries only the id; the core loads role and status itself, so an adapter cannot
 * accidentally grant admin rights.
 */
export interface Actor {
  readonly userId: UserId;
  /** Display name from the transport, stored on first contact. */
  readonly displayName?: string;
}
