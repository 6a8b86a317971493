/**
 * The one input most tools share: a workload name. There is deliberately no owner field;
 * unknown keys a model adds (like `owner`) are stripped by zod before the tool runs. Schemas
 * are wrapped once with `zodSchema` so their JSON Schema is computed once, not per message.
 *
 * @module
 */
import { zodSchema } from "ai";
import { z } from "zod";

/** `{ name }` for tools acting on one of the person's own workloads. */
export const workloadNameInput = zodSchema(
  z.object({
    name: z.string().min(1).max(64).describe("Name of one of the person's own containers"),
  }),
);
