/**
 * Small helpers for core tests: outcomes as data, creating ready workloads, destroy tokens.
 *
 * @module
 */
import assert from "node:assert/strict";
import { VoxnixError } from "../../../src/domain/errors.js";
import { createPlanOf, type CreatePlan, type NeedsConfirmation } from "../../../src/api/outcome.js";
import type { Actor } from "../../../src/domain/identity.js";
import type { ContainerSpecInput } from "../../../src/domain/spec.js";
import type { Core, WorkloadView } from "../../../src/core/api.js";

/** "ok" when the promise resolves (or the outcome's type, like "needs-confirmation"), else the error kind (and reason when it has one). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    const result = await promise;
    const type = (result as { type?: unknown } | null)?.type;
    return type === "needs-confirmation" || type === "planned" ? type : "ok";
  } catch (error) {
    if (!VoxnixError.isInstance(error)) throw error;
    const reason = "reason" in error ? `:${String(error.reason)}` : "";
    return `${error.kind}${reason}`;
  }
}

/** Creates a workload and waits for the job. */
export async function createReady(core: Core, actor: Actor, input: ContainerSpecInput): Promise<WorkloadView> {
  const handle = await core.create(actor, input);
  return handle.wait();
}

/** Asks to destroy and returns the confirmation request (plan and token). */
export async function destroyToken(core: Core, actor: Actor, name: string): Promise<NeedsConfirmation> {
  const answer = await core.destroy(actor, name);
  assert.equal(answer.type, "needs-confirmation", "destroy asks for confirmation");
  return answer;
}

/** Destroys completely (destroy + confirm + wait). */
export async function destroyFully(core: Core, actor: Actor, name: string) {
  const request = await destroyToken(core, actor, name);
  const handle = await core.confirm(actor, request.token);
  return handle.wait();
}

/** Awaits a rejection and returns the error for inspection. */
export async function rejection(promise: Promise<unknown>): Promise<VoxnixError & { kind: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(VoxnixError.isInstance(error), `expected a VoxnixError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the operation to fail");
}

/** The create plan of a dry run (`core.plan` of a create). */
export async function planCreate(core: Core, actor: Actor, input: ContainerSpecInput): Promise<CreatePlan> {
  return createPlanOf(await core.plan(actor, { operation: "create", input }));
}
