/**
 * zod schemas for the slices of Proxmox VE API answers voxnix reads. Every answer is an
 * envelope `{ "data": … }`; failures add `message` (and `errors` per parameter) next to a
 * `null` data (`prepare_response_data` in pve-http-server's
 * `PVE/APIServer/Formatter/Standard.pm`). Field names and types follow the method schemas in
 * pve-manager (`PVE/API2/Cluster.pm`: `resources`, `nextid`; `PVE/API2/Tasks.pm`:
 * `read_task_status`, `read_task_log`) and qemu-server (`PVE/API2/Qemu.pm`,
 * `PVE/API2/Qemu/Agent.pm`). Perl serialises some integers as strings (`nextid` answers
 * `"100"`), so numbers are read leniently. Objects are not `.strict()`: newer releases add fields.
 *
 * @module
 */
import { z } from "zod";
import { parseUpid } from "./upid.js";

/** An integer that Perl may have written as a JSON string. */
export const lenientInteger = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .transform((value) => Number(value));
/** A number that Perl may have written as a JSON string. */
const lenientNumber = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)])
  .transform((value) => Number(value));

/** The error envelope: `message` and per-parameter `errors` (both optional). */
export const errorEnvelopeSchema = z.object({
  message: z.string().optional(),
  errors: z.record(z.string(), z.string()).optional(),
});

/** `GET /version`: `{ version, release, repoid }`. */
export const versionSchema = z.object({
  version: z.string(),
  release: z.string().optional(),
  repoid: z.string().optional(),
});

/**
 * One entry of `GET /cluster/resources` (`type` = `vm` lists `qemu` and `lxc` guests, `node`
 * lists nodes). `status` is type-dependent: `running`/`stopped` for guests, `online`/
 * `offline`/`unknown` for nodes. `template` is 1 for templates. `tags` is `;`-separated.
 */
export const clusterResourceSchema = z.object({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  status: z.string().optional(),
  name: z.string().optional(),
  vmid: lenientInteger.optional(),
  template: lenientInteger.optional(),
  tags: z.string().optional(),
  pool: z.string().optional(),
  lock: z.string().optional(),
  maxmem: lenientNumber.optional(),
  mem: lenientNumber.optional(),
  maxcpu: lenientNumber.optional(),
  maxdisk: lenientNumber.optional(),
  uptime: lenientNumber.optional(),
});
export type ClusterResource = z.output<typeof clusterResourceSchema>;
export const clusterResourcesSchema = z.array(clusterResourceSchema);

/** `GET /cluster/nextid[?vmid=N]`: the free VMID. */
export const nextIdSchema = lenientInteger;

/** A task id as returned by every asynchronous call. */
export const upidSchema = z
  .string()
  .refine((value) => parseUpid(value) !== undefined, "is not a Proxmox task id (UPID)");

/** `GET /nodes/{node}/tasks/{upid}/status`. `exitstatus` is `OK` on success, else the error. */
export const taskStatusSchema = z.object({
  status: z.enum(["running", "stopped"]),
  exitstatus: z.string().optional(),
  type: z.string().optional(),
  node: z.string().optional(),
});
export type TaskStatus = z.output<typeof taskStatusSchema>;

/** `GET /nodes/{node}/tasks/{upid}/log`: numbered lines; the envelope carries `total`. */
export const taskLogSchema = z.array(z.object({ n: lenientInteger, t: z.string() }));

/** `GET /nodes/{node}/qemu/{vmid}/status/current` (the fields voxnix reads). */
export const vmCurrentStatusSchema = z.object({
  status: z.string(),
  qmpstatus: z.string().optional(),
  name: z.string().optional(),
  uptime: lenientNumber.optional(),
  /** 1 when the guest agent is enabled in the VM's config. */
  agent: lenientInteger.optional(),
  lock: z.string().optional(),
});

/** `GET /nodes/{node}/qemu/{vmid}/config`: option name to value. */
export const vmConfigSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** `GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces` (QEMU guest agent's answer). */
export const agentInterfacesSchema = z.object({
  result: z.array(
    z.object({
      name: z.string(),
      "ip-addresses": z
        .array(z.object({ "ip-address": z.string(), "ip-address-type": z.string(), prefix: lenientInteger.optional() }))
        .optional(),
    }),
  ),
});

/** A POST/PUT/DELETE that answers nothing useful (`null`). */
export const anySchema = z.unknown();
