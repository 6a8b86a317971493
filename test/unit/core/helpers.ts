/**
 * Small helpers for core tests: outcomes as data, creating ready workloads, destroy tokens.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NeedsConfirmationError, VoxnixError } from "../../../src/domain/errors.js";
import type { Actor } from "../../../src/domain/identity.js";
import type { ContainerSpecInput } from "../../../src/domain/spec.js";
import type { Core, WorkloadView } from "../../../src/core/api.js";

/** "ok" when the promise resolves, else the error kind (and reason when it has one). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
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

/** Asks to destroy and returns the confirmation error (with plan and token). */
export async function destroyToken(core: Core, actor: Actor, name: string): Promise<NeedsConfirmationError> {
  try {
    await core.destroy(actor, name);
  } catch (error) {
    if (error instanceof NeedsConfirmationError) return error;
    throw error;
  }
  assert.fail("destroy did not ask for confirmation");
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
