/**
 * The inactivity timers' configuration section (docs/idle.md).
 *
 * @module
 */
import { z } from "zod";
import { duration } from "../../domain/config-fields.js";
import { parseWorkingHours } from "../../domain/idle.js";

/** Inactivity timers: stop what nobody uses (docs/idle.md). */
export const idleSchema = z
  .object({
    /** How long a running workload may go without activity before it is stopped; "off" (the default) never stops. */
    timeout: duration("off"),
    /** How long before the stop its owner is warned in chat. */
    warnBefore: duration("10m").refine((ms) => ms > 0, "must be more than 0"),
    /** Optional `HH:MM-HH:MM`: inside these hours nothing is stopped for idleness; a stop due then waits for their end. */
    workingHours: z.string().optional(),
    /** The IANA time zone of the working hours (default: the host's). */
    timeZone: z.string().optional(),
    /** How often `voxnix serve` checks the timers. */
    checkEverySeconds: z.number().int().min(1).max(3600).default(60),
  })
  .strict()
  .superRefine((idle, context) => {
    if (idle.workingHours === undefined) return;
    try {
      parseWorkingHours(idle.workingHours, idle.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    } catch (error) {
      context.addIssue({ code: "custom", path: ["workingHours"], message: (error as Error).message });
    }
  })
  .prefault({});
