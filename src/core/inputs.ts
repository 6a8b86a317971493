/**
 * Small input validators shared by operations: workload names, user ids, commands as words.
 *
 * @module
 */
import { InvalidInputError, type InputIssue } from "../domain/errors.js";
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

/** Validates a command given as words (`exec`, and an `argv` session); issues are added at `path`. */
export function validateArgv(value: unknown, issues: InputIssue[], path = "argv"): readonly string[] | undefined {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((part) => typeof part !== "string" || part.includes("\0"))
  ) {
    issues.push({ path, message: "Give the command as a non-empty list of words." });
    return undefined;
  }
  if (value[0] === "") {
    issues.push({ path: `${path}.0`, message: "The program name must not be empty." });
    return undefined;
  }
  return value as readonly string[];
}
