/**
 * What the offline engine understood from one message: a closed union of intents, each
 * carrying only what the text said. Names are as typed; the resolver fills in references
 * ("it", "that") and the core validates everything.
 *
 * @module
 */

/** How the message pointed at a workload. */
export type Target =
  | { readonly kind: "named"; readonly name: string }
  /** "it", "that", "this one": the workload just discussed. */
  | { readonly kind: "reference" }
  /** No workload mentioned at all ("stop"). */
  | { readonly kind: "none" }
  /** "all of them", "everything": refused, one workload at a time. */
  | { readonly kind: "all" }
  /**
   * A word in the name slot right after the verb that is none of the person's workloads
   * ("stop ghost"). It is never acted on: the engine answers that there is no such container.
   */
  | { readonly kind: "unknown"; readonly name: string };

/** A create request as far as the text specified it. */
export interface CreateRequest {
  readonly type: "create";
  readonly name?: string;
  /** The kind the text named ("a vm", "a container"); absent: the person's default kind. */
  readonly kind?: "container" | "vm";
  /** A size named as a disk ("a 20G disk"): a VM's root disk, a container's workspace. */
  readonly disk?: string;
  readonly modules: readonly string[];
  readonly cpus?: number;
  /** A size string as typed ("4G"). */
  readonly memory?: string;
  /** False when the person asked for no workspace. */
  readonly workspace?: boolean;
  readonly workspaceSize?: string;
  /** "… and stop it after 2 hours idle": the workload's own idle timeout ("2h", or "off"). */
  readonly idleTimeout?: string;
}

/** Operations on one existing workload. */
export type WorkloadVerb = "start" | "stop" | "restart" | "destroy" | "restore" | "show" | "logs";

/** What a person can decline or ask for later: an operation on a workload, or a create ("don't create a container"). */
export type ActionVerb = WorkloadVerb | "create";

/** A request for one operation on one existing workload. */
export interface WorkloadRequest {
  readonly type: WorkloadVerb;
  readonly target: Target;
  /** Only for `logs`. */
  readonly lines?: number;
}

/** "Run <command> in <name>": one command inside one of the person's containers. */
export interface ExecIntent {
  readonly type: "exec";
  readonly target: Target;
  /** The command as words, passed to the container as an argv (never through a shell). */
  readonly argv: readonly string[];
}

/**
 * "add code-server to dev", "give web 2 CPUs", "more memory for api": a change of an existing
 * workload. `more`/`less` are resolved by the engine from the current spec. `negated` ("don't
 * add fish to dev") is answered without any change.
 */
export interface ChangeIntent {
  readonly type: "change";
  readonly target: Target;
  readonly addModules: readonly string[];
  readonly removeModules: readonly string[];
  readonly cpus?: number | "more" | "less";
  /** A size as typed ("2G"), or a step. */
  readonly memory?: string;
  /** The workspace's size limit as typed ("20G"), or a step ("give web more disk"). */
  readonly workspaceSize?: string;
  readonly negated: boolean;
}

/** Everything the offline engine can recognise. */
export type Intent =
  | CreateRequest
  | WorkloadRequest
  | ExecIntent
  | ChangeIntent
  | { readonly type: "list" }
  | { readonly type: "storage" }
  | { readonly type: "whoami" }
  | { readonly type: "help"; readonly greeting?: boolean }
  | { readonly type: "confirm" }
  | { readonly type: "cancel" }
  | { readonly type: "reset" }
  /** The text names another user (e.g. "telegram:43"): refused without touching anything. */
  | { readonly type: "other-user"; readonly mentioned: string }
  | { readonly type: "unknown" }
  /** A question about VMs, or a VM this appliance cannot run (Windows): answered from what the appliance has. */
  | { readonly type: "vm"; readonly foreign?: boolean }
  /** "How do I log into dev?": answered with what exists today. */
  | { readonly type: "access"; readonly target: Target }
  /** A request the engine will not act on as it stands ("don't delete web"); `verb` is what was declined. */
  | { readonly type: "declined"; readonly verb: ActionVerb; readonly target: Target }
  /**
   * Unsure between a destructive and a harmless reading, a question about destroying, or a
   * request for later ("stop web tonight": nothing here runs later, and doing it now would
   * invert what was asked): ask or explain, never act.
   */
  | { readonly type: "clarify"; readonly verb: ActionVerb; readonly target: Target; readonly why: ClarifyReason }
  /** "stop web after 2 hours idle", "set web's idle timeout to 30m": the inactivity timeout of an existing workload ("off" for never). */
  | { readonly type: "idle-timeout"; readonly target: Target; readonly timeout: string }
  /** "keep", "keep web": reset an inactivity timer (without a name: what the person was warned about). */
  | { readonly type: "keep"; readonly target: Target }
  /** Several requests in one message, done in order. */
  | { readonly type: "several"; readonly intents: readonly Intent[] };

/** Intent types that act on a single named workload. */
export const WORKLOAD_VERBS: ReadonlySet<string> = new Set<WorkloadVerb>([
  "start",
  "stop",
  "restart",
  "destroy",
  "restore",
  "show",
  "logs",
]);

/** True when the intent targets one existing workload. */
export function isWorkloadRequest(intent: Intent): intent is WorkloadRequest {
  return WORKLOAD_VERBS.has(intent.type);
}

/** Why the engine asks instead of acting. */
export type ClarifyReason = "unclear" | "question" | "modify" | "several" | "later";
