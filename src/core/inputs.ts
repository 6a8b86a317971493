/**
 * Small input validators shared by operations: workload names, user ids, line counts.
 *
 * @module
 */
import { InvalidInputError } from "../domain/errors.js";
import { isUserId, type UserId } from "../domain/identity.js";
import { describeNameProblem, type WorkloadName } from "../domain/names.js";

/** Validates a workload name, throwing `InvalidInputError` at `path`. */
export function validateName(value: unknown, path = "name"): WorkloadName {
  if (typeof value !== "string") throw new InvalidInputError([{ path, message: "A workload name is required." }]);
  const problem = describeNameProblem(value);
  if (problem) throw new InvalidInputError([{ path, message: problem }]);
  return value as WorkloadName;
}

/** Validates a user id argument of an admin operation. */
export function validateUserId(value: unknown, path = "userId"): UserId {
  if (!isUserId(value)) {
    throw new InvalidInputError([
      { path, message: 'A user id looks like "telegram:123", "local:admin" or "web:<token id>".' },
    ]);
  }
  return value;
}
