/**
 * Assembles the core: the context, locks, job runner and start-up recovery, and one method
 * per operation (each in its own file under `operations/`).
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import type { Core } from "./api.js";
import { createContext, type CoreOptions } from "./context.js";
import type { CoreDeps } from "./deps.js";
import { JobRunner } from "./jobs.js";
import { WorkloadLocks } from "./locks.js";
import { buildImages } from "./operations/build-images.js";
import { changeWorkload } from "./operations/change-workload.js";
import { confirmDestroy } from "./operations/confirm-destroy.js";
import { createWorkload } from "./operations/create-workload.js";
import { destroyWorkload } from "./operations/destroy-workload.js";
import { execCommand } from "./operations/exec-command.js";
import { openForward } from "./operations/open-forward.js";
import { openSession } from "./operations/open-session.js";
import { addSshKey } from "./operations/add-ssh-key.js";
import { listSshKeys } from "./operations/list-ssh-keys.js";
import { removeSshKey } from "./operations/remove-ssh-key.js";
import { sshFingerprint } from "../domain/ssh-keys.js";
import { getJob } from "./operations/get-job.js";
import { listUsers } from "./operations/list-users.js";
import { listWorkloads } from "./operations/list-workloads.js";
import { planOperation } from "./operations/plan-operation.js";
import { autostart } from "./operations/autostart.js";
import { readLogs } from "./operations/read-logs.js";
import { reportStorage } from "./operations/report-storage.js";
import { restartWorkload } from "./operations/restart-workload.js";
import { restoreWorkload } from "./operations/restore-workload.js";
import { runDoctor } from "./operations/run-doctor.js";
import { runReconcile } from "./operations/run-reconcile.js";
import { approveUser } from "./operations/approve-user.js";
import { impersonate } from "./operations/impersonate.js";
import { listAdmins } from "./operations/list-admins.js";
import { createApiToken } from "./operations/create-api-token.js";
import { listApiTokens } from "./operations/list-api-tokens.js";
import { revokeApiToken } from "./operations/revoke-api-token.js";
import { API_TOKEN_PATTERN, hashApiToken } from "./api-tokens.js";
import { isUserId } from "../domain/identity.js";
import { denyUser } from "./operations/deny-user.js";
import { setUserLimits } from "./operations/set-user-limits.js";
import { showWorkload } from "./operations/show-workload.js";
import { showHostKey } from "./operations/show-host-key.js";
import { startWorkload } from "./operations/start-workload.js";
import { stopWorkload } from "./operations/stop-workload.js";
import { whoAmI } from "./operations/who-am-i.js";
import { keepWorkload } from "./operations/keep-workload.js";
import { setIdleTimeout } from "./operations/set-idle-timeout.js";
import { ActivityRecorder, IDLE_ACTOR, runIdleTick } from "./idle-timers.js";
import { createLoginLink } from "./operations/create-login-link.js";
import { endWebSession } from "./operations/end-web-session.js";
import { openShell } from "./operations/open-shell.js";
import { startWebSession } from "./operations/start-web-session.js";
import { hashWebSecret, LOGIN_LINK_PATTERN, WEB_SESSION_PATTERN } from "./web-sessions.js";
import { startupRecovery } from "./reconcile.js";
import { ShellRegistry } from "./shells.js";
import { ChangeFeed, WorkloadWatcher } from "./watch.js";
import { watchWorkloads } from "./operations/watch-workloads.js";
import { attachShell } from "./operations/attach-shell.js";
import { readAuditLog } from "./operations/read-audit-log.js";
import type { CoreServices } from "./services.js";
import { modulesForKind } from "./runtime-registry.js";

export type { CoreOptions } from "./context.js";

function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A `Core` plus a way to wait for its background jobs (for shutdown and tests). */
export interface CoreInstance extends Core {
  /** Resolves once start-up recovery and every job this instance started have settled. */
  idle(): Promise<void>;
  /** Ends every open live list stream (`watch`; their `ended` settles with `closed`): the process is stopping. */
  endLiveStreams(): void;
}

/**
 * Creates the core over `deps`. Start-up costs a SQL query or two; if a crash interrupted
 * jobs, their recovery runs in the background and operations wait for it.
 */
export function createCore(deps: CoreDeps, options: CoreOptions = {}): CoreInstance {
  const context = createContext(deps, options);
  const locks = new WorkloadLocks(context);
  const changes = new ChangeFeed();
  const services: CoreServices = {
    context,
    locks,
    jobs: new JobRunner(context),
    activity: new ActivityRecorder(context, () => changes.notify()),
    changes,
    watcher: new WorkloadWatcher(context, changes),
    shells: new ShellRegistry(),
    ready: Promise.resolve(),
  };
  services.ready = startupRecovery(context, locks).then((result) => {
    services.startup = result;
  });
  const moduleList = () => {
    const provided = modulesForKind(deps.runtimes, "container");
    return deps.catalog.list().filter((module) => provided.has(module.name));
  };
  return {
    create: (actor, input, options) => createWorkload(services, actor, input, options),
    plan: (actor, request) => planOperation(services, actor, request),
    start: (actor, name) => startWorkload(services, actor, name),
    stop: (actor, name) => stopWorkload(services, actor, name),
    restart: (actor, name) => restartWorkload(services, actor, name),
    destroy: (actor, name) => destroyWorkload(services, actor, name),
    change: (actor, name, change) => changeWorkload(services, actor, name, change),
    confirm: (actor, token) => confirmDestroy(services, actor, token),
    restore: (actor, name) => restoreWorkload(services, actor, name),
    exec: (actor, request) => execCommand(services, actor, request),
    openSession: (actor, request) => openSession(services, actor, request),
    openForward: (actor, request) => openForward(services, actor, request),
    list: (actor) => listWorkloads(services, actor),
    watch: (actor, request) => watchWorkloads(services, actor, request),
    show: (actor, name) => showWorkload(services, actor, name),
    hostKey: (actor, name) => showHostKey(services, actor, name),
    logs: (actor, name, logOptions) => readLogs(services, actor, name, logOptions),
    storage: (actor) => reportStorage(services, actor),
    job: (actor, id) => getJob(services, actor, id),
    whoami: (actor) => whoAmI(services, actor),
    keep: (actor, name) => keepWorkload(services, actor, name),
    setIdleTimeout: (actor, name, timeout) => setIdleTimeout(services, actor, name, timeout),
    idleTick: () => runIdleTick(services, (name) => stopWorkload(services, IDLE_ACTOR, name, "idle")),
    modules: moduleList,
    workloadKinds: () => (["container", "vm"] as const).filter((kind) => deps.runtimes.forKind(kind) !== undefined),
    autostart: (actor) => autostart(services, actor),
    doctor: (actor) => runDoctor(services, actor),
    reconcile: (actor) => runReconcile(services, actor),
    buildImages: (actor, buildOptions) => buildImages(services, actor, buildOptions),
    listUsers: (actor) => listUsers(services, actor),
    approveUser: (actor, userId) => approveUser(services, actor, userId),
    impersonate: (actor, userId) => impersonate(services, actor, userId),
    listAdmins: (actor) => listAdmins(services, actor),
    denyUser: (actor, userId) => denyUser(services, actor, userId),
    setUserLimits: (actor, userId, limits) => setUserLimits(services, actor, userId, limits),
    createApiToken: (actor, userId) => createApiToken(services, actor, userId),
    listApiTokens: (actor, userId) => listApiTokens(services, actor, userId),
    revokeApiToken: (actor, id) => revokeApiToken(services, actor, id),
    authenticateToken: (secret) => {
      // Malformed secrets never reach the database; a revoked token is as good as unknown.
      if (typeof secret !== "string" || !API_TOKEN_PATTERN.test(secret)) return undefined;
      const record = context.repos.apiTokens.findByHash(hashApiToken(secret));
      if (!record || record.revokedAt || !isUserId(record.userId)) return undefined;
      return { userId: record.userId };
    },
    createLoginLink: (actor) => createLoginLink(services, actor),
    inspectLoginLink: (token) => {
      if (typeof token !== "string" || !LOGIN_LINK_PATTERN.test(token)) return "unknown";
      const link = context.repos.webSessions.findLink(hashWebSecret(token));
      if (!link) return "unknown";
      if (link.usedAt) return "used";
      return link.expiresAt.getTime() <= deps.clock.now().getTime() ? "expired" : "usable";
    },
    startWebSession: (token) => startWebSession(services, token),
    authenticateSession: (secret) => {
      if (typeof secret !== "string" || !WEB_SESSION_PATTERN.test(secret)) return undefined;
      const session = context.repos.webSessions.findSession(hashWebSecret(secret));
      if (
        !session ||
        session.endedAt ||
        session.expiresAt.getTime() <= deps.clock.now().getTime() ||
        !isUserId(session.userId)
      )
        return undefined;
      return { actor: { userId: session.userId }, sessionId: session.id, expiresAt: session.expiresAt };
    },
    endWebSession: (actor, secret) => endWebSession(services, actor, secret),
    openShell: (actor, request) => openShell(services, actor, request),
    attachShell: (actor, request) => attachShell(services, actor, request),
    auditLog: (actor, query) => readAuditLog(services, actor, query),
    addSshKey: (actor, request) => addSshKey(services, actor, request),
    listSshKeys: (actor, request) => listSshKeys(services, actor, request),
    removeSshKey: (actor, request) => removeSshKey(services, actor, request),
    authenticateSshKey: (blob) => {
      // Found by fingerprint, then the whole blob compared: a fingerprint collision is not a login.
      if (!(blob instanceof Uint8Array) || blob.length === 0 || blob.length > 16_384) return undefined;
      const record = context.repos.sshKeys.get(sshFingerprint(blob));
      if (!record) return undefined;
      const stored = Buffer.from(record.publicKey.slice(record.publicKey.indexOf(" ") + 1), "base64");
      if (!isUserId(record.userId) || !timingSafeEqualBytes(stored, blob)) return undefined;
      return { userId: record.userId };
    },
    idle: async () => {
      await services.ready;
      await services.jobs.idle();
    },
    endLiveStreams: () => services.watcher.endAll(),
  };
}
