/**
 * `setIdleTimeout`: the owner chooses how long the workload may stay idle before it is
 * stopped ("4h", "off"), or goes back to the default. The admin's per-user maximum
 * (`setUserLimits --max-idle`) bounds the choice: asking for more is a quota error that
 * changes nothing.
 *
 * @module
 */
import { InvalidInputError, QuotaError } from "../../domain/errors.js";
import { formatDuration, MAX_IDLE_TIMEOUT_MS, parseDuration, type OwnTimeout } from "../../domain/idle.js";
import type { Actor } from "../../domain/identity.js";
import type { IdleView, Planned } from "../api.js";
import { idleView } from "../idle-timers.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import type { StoredUser } from "../../state/users-repository.js";

/** Parses what the owner typed: a duration, `off`, or `default`. */
export function parseOwnTimeout(value: unknown): OwnTimeout {
  if (typeof value !== "string" || value.length > 32)
    throw new InvalidInputError([{ path: "timeout", message: 'Give a timeout like "2h", "90m", "off" or "default".' }]);
  if (value.trim().toLowerCase() === "default") return undefined;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidInputError([
      {
        path: "timeout",
        message: `"${value.slice(0, 32)}" is not a timeout; use something like "2h", "90m", "off" or "default".`,
      },
    ]);
  if (ms === 0) return "off";
  if (ms < 60_000 && ms % 1000 !== 0)
    throw new InvalidInputError([{ path: "timeout", message: "A timeout is whole seconds." }]);
  if (ms > MAX_IDLE_TIMEOUT_MS)
    throw new InvalidInputError([
      { path: "timeout", message: `A timeout is at most ${formatDuration(MAX_IDLE_TIMEOUT_MS)}; use "off" for never.` },
    ]);
  return ms;
}

/** Refuses a timeout longer than the owner's maximum (or "off" under one) with a quota error that names both. */
export function checkWithinMaximum(name: string, owner: StoredUser | undefined, timeout: OwnTimeout): void {
  const max = owner?.limits.maxIdleTimeoutMs;
  if (max !== undefined && max > 0 && timeout !== undefined && (timeout === "off" || timeout > max)) {
    const asked = timeout === "off" ? "no timeout" : formatDuration(timeout);
    throw new QuotaError(
      "idle-timeout",
      `${name} can stay idle at most ${formatDuration(max)} before it is stopped (your limit); ${asked} is more. Ask an admin to raise it.`,
    );
  }
}

/** How a chosen timeout reads in plans and replies: "2h", "off". */
export function describeOwnTimeout(timeout: OwnTimeout): string | undefined {
  return timeout === undefined ? undefined : timeout === "off" ? "off" : formatDuration(timeout);
}

/** Sets the idle timeout of the actor's workload `name`. */
export function setIdleTimeout(services: CoreServices, actor: Actor, name: string, timeout: string): Promise<IdleView> {
  const { context } = services;
  return runOperation(services, {
    operation: "setIdleTimeout",
    actor,
    args: { name, timeout },
    validate: () => ({ name: validateName(name), timeout: parseOwnTimeout(timeout) }),
    target: (input) => input.name,
    run: async ({ input, workload }) => {
      const record = workload!;
      checkWithinMaximum(record.name, context.repos.users.get(record.owner), input.timeout);
      context.repos.idleTimers.setTimeout(record.name, input.timeout, context.deps.clock.now());
      return idleView(context, context.repos.workloads.get(record.name) ?? record);
    },
  });
}

/** The dry run of `setIdleTimeout`: the same checks (the timeout, the owner's maximum), nothing written. */
export function planSetIdleTimeout(
  services: CoreServices,
  actor: Actor,
  name: string,
  timeout: string,
): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "setIdleTimeout",
    actor,
    args: { name, timeout },
    dryRun: true,
    validate: () => ({ name: validateName(name), timeout: parseOwnTimeout(timeout) }),
    target: (input) => input.name,
    run: async ({ input, workload }): Promise<Planned> => {
      const record = workload!;
      checkWithinMaximum(record.name, context.repos.users.get(record.owner), input.timeout);
      const described = describeOwnTimeout(input.timeout);
      return {
        type: "planned",
        plan: {
          operation: "setIdleTimeout",
          workload: record.name,
          ...(described === undefined ? {} : { timeout: described }),
          steps: [
            described === undefined
              ? `give ${record.name} the default inactivity timeout again`
              : described === "off"
                ? `never stop ${record.name} for idleness`
                : `stop ${record.name} after ${described} without activity`,
          ],
        },
      };
    },
  });
}
