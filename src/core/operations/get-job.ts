/**
 * `job`: the persisted state of a job, for its owner or an admin.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { JobView } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toJobView } from "../views.js";

/** Returns job `id` if the actor owns it or is an admin. */
export function getJob(services: CoreServices, actor: Actor, id: string): Promise<JobView> {
  const { context } = services;
  return runOperation(services, {
    operation: "job",
    actor,
    args: { id },
    validate: () => {
      if (typeof id !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(id))
        throw new InvalidInputError([{ path: "id", message: "That is not a job id." }]);
      return id;
    },
    run: async ({ user, input }) => {
      const record = context.repos.jobs.get(input);
      if (!record || (record.owner !== user.id && user.role !== "admin"))
        throw new NotFoundError("job", input, `You have no job "${input}".`);
      return toJobView(record);
    },
  });
}
