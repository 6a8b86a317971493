/**
 * The shape of an eval conversation: who says what, which core operations each message
 * must cause, and what must be true of the workloads afterwards.
 *
 * @module
 */
import type { UserId } from "../../domain/identity.js";

/** An operation as `name` or `name:workload`, e.g. `"create:web"`; a `!` suffix means it must not happen yet: fail, or wait for a confirmation (`"destroy:dev!"`). */
export type ExpectedOperation = string;

/** One message and what it must do. */
export interface EvalTurn {
  readonly say: string;
  /** Who says it (default `telegram:42`). */
  readonly as?: UserId;
  /** The mutating operations, exactly and in order; read operations listed here must appear too. Empty: nothing may change. */
  readonly operations?: readonly ExpectedOperation[];
  /** The reply must carry a destroy confirmation (true) or must not (false). */
  readonly confirmation?: boolean;
  /** The reply text must match. */
  readonly text?: RegExp;
  /** The reply text must not match. */
  readonly notText?: RegExp;
}

/** A workload expected to exist (or, with `absent`, not to). */
export interface ExpectedWorkload {
  readonly owner: UserId;
  readonly name: string;
  readonly absent?: boolean;
  readonly modules?: readonly string[];
  readonly cpus?: number;
  readonly memoryBytes?: number;
  readonly live?: string;
  readonly kind?: "container" | "vm";
  /** Its own idle timeout, in ms (0: never stopped for idleness). */
  readonly idleTimeoutMs?: number;
  /** Its workspace's size limit in bytes (null: no limit). */
  readonly workspaceBytes?: number | null;
}

/** One conversation. */
export interface EvalConversation {
  readonly id: string;
  /** What the conversation is mostly about, for accuracy per intent (default: the id up to its first hyphen). */
  readonly intent?: string;
  /** Workloads created through the core before the conversation starts. */
  readonly setup?: readonly {
    readonly owner: UserId;
    readonly name: string;
    readonly modules?: readonly string[];
    readonly workspaceSize?: string;
    readonly usedBytes?: number;
  }[];
  /** False: the appliance has no VM runtime (`vm.runtime: none`); by default it has one. */
  readonly vmRuntime?: boolean;
  /** Kind settings an admin made before the conversation (VMs by default, VMs only). */
  readonly limits?: readonly {
    readonly owner: UserId;
    readonly defaultKind?: "container" | "vm";
    readonly vmOnly?: boolean;
  }[];
  readonly turns: readonly EvalTurn[];
  readonly expect?: readonly ExpectedWorkload[];
}
