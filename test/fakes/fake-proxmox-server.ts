/**
 * A fake Proxmox VE cluster over real HTTPS on loopback, modelling the API voxnix uses and
 * its awkward parts. Shapes and messages follow the Proxmox sources (pve-manager
 * `PVE/API2/Cluster.pm` and `PVE/API2/Tasks.pm`, qemu-server `PVE/API2/Qemu.pm` and
 * `PVE/API2/Qemu/Agent.pm`, pve-http-server `Formatter/Standard.pm`):
 *
 * - Envelope `{ data }`; errors as HTTP status + reason with `{ data: null, message, errors? }`.
 * - API tokens: `Authorization: PVEAPIToken=user@realm!tokenid=secret`, else 401.
 * - A self-signed certificate (like a fresh node's `pve-ssl.pem`): clients must pin it.
 * - Asynchronous tasks (UPIDs) that run for `taskDurationMs`, write a log, end with
 *   `exitstatus` `OK` or an error, can be stopped (`DELETE …/tasks/{upid}`), and can hang.
 * - `/cluster/nextid?vmid=N` is a point-in-time check: two concurrent callers both hear "free",
 *   and a just-deleted ID is free again. A foreign creator can grab an ID right after it was
 *   reported free (`raceForeignCreator`), so the clone then fails with "already exists".
 * - Clone to a taken VMID fails at once (500 "unable to create VM N: config file already
 *   exists"); two clones racing to one VMID make the second task fail with the same words.
 *   A linked clone on storage without the feature fails in the task; its half-made VM is removed.
 * - Nodes can go offline: their guests report `unknown` and calls to them answer 595.
 * - Permission errors (403) and one-off failures (any status) can be injected per path.
 * - The guest agent answers only some time after start ("QEMU guest agent is not running").
 * - Volumes hold data (`volumes`: volid → contents): a disk added to a config allocates one,
 *   a clone copies the template's, `DELETE …?purge=1` frees every volume the config names.
 * - `POST /nodes/{node}/qemu` creates an empty VM (`qmcreate`), and `POST …/move_disk` with
 *   `target-vmid` reassigns a disk to another VM on the same node (qemu-server since PVE 7.2):
 *   the volume is renamed `vm-<target>-disk-N` and keeps its data; a used disk of a running VM,
 *   a target key already in use and a target on another node are refused.
 *
 * Every request is recorded (without the Authorization header's value).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { X509Certificate, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSshKeys } from "../../src/runtimes/proxmox/cloud-init.js";
import { formatUpid, parseUpid } from "../../src/runtimes/proxmox/upid.js";

export interface FakeNode {
  status: "online" | "offline";
  maxmem: number;
  mem: number;
  maxcpu: number;
}

export interface FakeVm {
  vmid: number;
  node: string;
  name: string;
  template: boolean;
  status: "running" | "stopped";
  config: Record<string, string | number>;
  pool?: string;
  lock?: string;
  /** When the guest agent starts answering (ms since epoch), while running. */
  agentReadyAt?: number;
  address?: string;
  /** What the guest agent reports instead of the real address (a hostile guest can say anything). */
  agentAddresses?: string[];
}

export interface FakeTask {
  readonly upid: string;
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly startTime: number;
  status: "running" | "stopped";
  exitstatus?: string;
  readonly log: string[];
  /** Runs when the task is stopped before it finished (Proxmox's workers clean up on SIGTERM). */
  onInterrupt?: () => void;
  timer?: NodeJS.Timeout;
}

export interface RecordedProxmoxRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  /** Whether the request carried a valid token (the header itself is never recorded). */
  readonly authenticated: boolean;
}

export interface FakeProxmoxOptions {
  readonly nodes?: Readonly<Record<string, Partial<FakeNode>>>;
  /** Template VMID and node (default 9000 on the first node). */
  readonly template?: { readonly vmid: number; readonly node: string; readonly diskSize?: string };
  readonly taskDurationMs?: number;
  readonly agentDelayMs?: number;
}

export interface FakeProxmoxServer {
  readonly url: string;
  readonly tokenId: string;
  readonly tokenSecret: string;
  /** The server certificate (PEM), its issuer being itself. */
  readonly certificatePem: string;
  /** SHA-256 fingerprint as Proxmox shows it (`AB:CD:…`). */
  readonly fingerprint: string;
  readonly nodes: Map<string, FakeNode>;
  readonly vms: Map<number, FakeVm>;
  readonly tasks: Map<string, FakeTask>;
  readonly requests: RecordedProxmoxRequest[];
  /** Commands run through the guest agent, as argv arrays. */
  readonly agentCommands: { vmid: number; command: string[] }[];
  /** Every volume's contents by volid (`local-lvm:vm-10000-disk-1`); tests write and read the "data". */
  readonly volumes: Map<string, string>;
  /** vzdump backups made, by VMID. */
  readonly backups: { vmid: number; storage: string }[];
  taskDurationMs: number;
  agentDelayMs: number;
  /** Whether the template's storage can make linked clones (default true). */
  linkedCloneSupported: boolean;
  /** Whether storage is shared, so clones may target another node (default true). */
  sharedStorage: boolean;
  /** Storage ids new volumes may be allocated on (default local-lvm and local). */
  readonly storages: Set<string>;
  /** Tasks of these types never finish on their own. */
  readonly hangingTaskTypes: Set<string>;
  /** Makes the next task of `type` (on `node`, when given) fail with `exitstatus` after writing `log`. */
  failNextTask(type: string, exitstatus: string, log?: readonly string[], node?: string): void;
  /** Answers the next request whose path matches with `status`/`message` instead. */
  failNextRequest(pathPattern: RegExp, status: number, message: string): void;
  /** Requests whose path matches answer 403 until cleared. */
  readonly forbidden: RegExp[];
  /** The next `count` IDs `nextid?vmid=` reports free are then taken by a foreign VM. */
  raceForeignCreator(count: number): void;
  /** The next `count` clones pass the early check, then another clone takes their VMID before their worker starts. */
  raceCloneWorker(count: number): void;
  /** Creates a VM as another tool or person would. */
  addForeignVm(vm: { vmid: number; node: string; name: string; status?: "running" | "stopped" }): void;
  setNodeStatus(node: string, status: "online" | "offline"): void;
  close(): Promise<void>;
}

const OPENSSL = "/usr/bin/openssl";
const GiB = 1024 ** 3;

/** Starts the fake cluster on an ephemeral loopback port with a fresh self-signed certificate. */
export async function startFakeProxmoxServer(options: FakeProxmoxOptions = {}): Promise<FakeProxmoxServer> {
  const scratch = mkdtempSync(join(tmpdir(), "voxnix-fake-pve-"));
  const keyFile = join(scratch, "pve-ssl.key");
  const certFile = join(scratch, "pve-ssl.pem");
  execFileSync(
    OPENSSL,
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=pve1.fake",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  const certificatePem = readFileSync(certFile, "utf8");
  const key = readFileSync(keyFile, "utf8");
  rmSync(scratch, { recursive: true, force: true });

  const tokenId = "voxnix@pve!voxnix";
  const tokenSecret = randomUUID();
  const nodeEntries = Object.entries(options.nodes ?? { pve1: {}, pve2: {} });
  const nodes = new Map<string, FakeNode>(
    nodeEntries.map(([name, node]) => [
      name,
      { status: "online", maxmem: 64 * GiB, mem: 8 * GiB, maxcpu: 16, ...node },
    ]),
  );
  const firstNode = nodeEntries[0]?.[0] ?? "pve1";
  const template = options.template ?? { vmid: 9000, node: firstNode };
  const vms = new Map<number, FakeVm>();
  vms.set(template.vmid, {
    vmid: template.vmid,
    node: template.node,
    name: "debian-12-cloudinit",
    template: true,
    status: "stopped",
    config: {
      name: "debian-12-cloudinit",
      cores: 1,
      memory: 1024,
      scsi0: `local-lvm:base-${template.vmid}-disk-0,size=${template.diskSize ?? "2G"}`,
      ide2: "local-lvm:cloudinit,media=cdrom",
      agent: "1",
      template: 1,
    },
  });
  const tasks = new Map<string, FakeTask>();
  const requests: RecordedProxmoxRequest[] = [];
  const fakeStorages = new Set(["local-lvm", "local"]);
  const injectedTaskFailures: { type: string; exitstatus: string; log: readonly string[]; node?: string }[] = [];
  const injectedRequestFailures: { pattern: RegExp; status: number; message: string }[] = [];
  let foreignRaces = 0;
  let cloneRaces = 0;
  const execResults = new Map<number, string>();
  // Array parameters arrive as repeated form fields; `route` sees only the last, so keep them all by body.
  const commands = new Map<string, string[]>();
  let pidCounter = 0x1000;
  let addressCounter = 10;

  const fake: FakeProxmoxServer = {
    url: "",
    tokenId,
    tokenSecret,
    certificatePem,
    fingerprint: new X509Certificate(certificatePem).fingerprint256,
    nodes,
    vms,
    tasks,
    requests,
    backups: [],
    volumes: new Map(),
    agentCommands: [],
    taskDurationMs: options.taskDurationMs ?? 20,
    agentDelayMs: options.agentDelayMs ?? 30,
    linkedCloneSupported: true,
    sharedStorage: true,
    storages: fakeStorages,
    hangingTaskTypes: new Set(),
    failNextTask: (type, exitstatus, log = [], node) =>
      void injectedTaskFailures.push({ type, exitstatus, log, ...(node ? { node } : {}) }),
    failNextRequest: (pattern, status, message) => void injectedRequestFailures.push({ pattern, status, message }),
    forbidden: [],
    raceForeignCreator: (count) => void (foreignRaces += count),
    raceCloneWorker: (count) => void (cloneRaces += count),
    addForeignVm: (vm) => {
      vms.set(vm.vmid, {
        vmid: vm.vmid,
        node: vm.node,
        name: vm.name,
        template: false,
        status: vm.status ?? "stopped",
        config: { name: vm.name, cores: 2, memory: 2048, scsi0: `local-lvm:vm-${vm.vmid}-disk-0,size=32G` },
      });
    },
    setNodeStatus: (node, status) => {
      const entry = nodes.get(node);
      if (entry) entry.status = status;
    },
    close: async () => undefined,
  };

  class ApiFailure extends Error {
    constructor(
      readonly status: number,
      message: string,
      readonly errors?: Record<string, string>,
    ) {
      super(message);
    }
  }

  const fail = (status: number, message: string, errors?: Record<string, string>): never => {
    throw new ApiFailure(status, message, errors);
  };

  // A task that runs `steps` (log lines), then `finish` (which may throw to fail the task).
  const startTask = (
    node: string,
    type: string,
    id: string,
    steps: readonly string[],
    finish: () => void,
    onInterrupt?: () => void,
  ): string => {
    pidCounter += 1;
    const upid = formatUpid({
      node,
      pid: pidCounter,
      pstart: pidCounter * 7,
      startTime: Math.floor(Date.now() / 1000),
      type,
      id,
      user: tokenId,
    });
    const task: FakeTask = {
      upid,
      node,
      type,
      id,
      startTime: Math.floor(Date.now() / 1000),
      status: "running",
      log: [],
      ...(onInterrupt ? { onInterrupt } : {}),
    };
    tasks.set(upid, task);
    const injected = injectedTaskFailures.findIndex(
      (entry) => entry.type === type && (entry.node === undefined || entry.node === node),
    );
    const failure = injected >= 0 ? injectedTaskFailures.splice(injected, 1)[0] : undefined;
    task.log.push(...steps.slice(0, 1));
    if (fake.hangingTaskTypes.has(type)) return upid;
    task.timer = setTimeout(() => {
      if (task.status !== "running") return;
      task.log.push(...steps.slice(1));
      try {
        if (failure) {
          task.log.push(...failure.log);
          throw new Error(failure.exitstatus);
        }
        finish();
        task.log.push("TASK OK");
        task.exitstatus = "OK";
      } catch (error) {
        const message = (error as Error).message;
        onInterrupt?.();
        task.log.push(`TASK ERROR: ${message}`);
        task.exitstatus = message;
      }
      task.status = "stopped";
    }, fake.taskDurationMs);
    return upid;
  };

  const guest = (node: string, vmid: number): FakeVm => {
    const vm = vms.get(vmid);
    if (!vm || vm.node !== node)
      return fail(500, `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  };

  const clusterResources = (type: string | undefined) => {
    const list: Record<string, unknown>[] = [];
    if (type === undefined || type === "node") {
      for (const [name, node] of nodes) {
        list.push({
          id: `node/${name}`,
          type: "node",
          node: name,
          status: node.status,
          maxmem: node.maxmem,
          mem: node.mem,
          maxcpu: node.maxcpu,
          level: "",
        });
      }
    }
    if (type === undefined || type === "vm") {
      for (const vm of vms.values()) {
        const online = nodes.get(vm.node)?.status === "online";
        list.push({
          id: `qemu/${vm.vmid}`,
          type: "qemu",
          vmid: vm.vmid,
          node: vm.node,
          name: vm.name,
          status: online ? vm.status : "unknown",
          template: vm.template ? 1 : 0,
          maxmem: Number(vm.config.memory ?? 512) * 1024 ** 2,
          ...(typeof vm.config.tags === "string" ? { tags: vm.config.tags } : {}),
          ...(vm.pool ? { pool: vm.pool } : {}),
          ...(vm.lock ? { lock: vm.lock } : {}),
        });
      }
    }
    return list;
  };

  const route = (method: string, path: string, params: Record<string, string>, text = ""): unknown => {
    if (method === "GET" && path === "/version") return { version: "8.2.4", release: "8.2", repoid: "faa83925" };
    if (method === "GET" && path === "/cluster/resources") return clusterResources(params.type);
    if (method === "GET" && path === "/cluster/nextid") {
      if (params.vmid !== undefined) {
        const vmid = Number(params.vmid);
        if (vms.has(vmid)) return fail(400, "Parameter verification failed.", { vmid: `VM ${vmid} already exists` });
        if (foreignRaces > 0) {
          foreignRaces -= 1;
          // Someone else's create lands right after this answer.
          setImmediate(() => fake.addForeignVm({ vmid, node: firstNode, name: `foreign-${vmid}` }));
        }
        return String(vmid);
      }
      for (let vmid = 100; vmid < 1_000_000; vmid += 1) if (!vms.has(vmid)) return String(vmid);
      return fail(500, "unable to get any free VMID in range [100, 1000000]");
    }

    const nodePath = /^\/nodes\/([^/]+)(\/.*)?$/.exec(path);
    if (!nodePath) return fail(501, `Method '${method} /api2/json${path}' not implemented`);
    const node = decodeURIComponent(nodePath[1]!);
    const rest = nodePath[2] ?? "";
    const nodeState = nodes.get(node);
    if (!nodeState) return fail(500, `no such cluster node '${node}'`);
    if (nodeState.status !== "online") return fail(595, "No route to host");

    let match: RegExpExecArray | null;
    if ((match = /^\/tasks\/([^/]+)\/status$/.exec(rest)) && method === "GET") {
      const task = tasks.get(decodeURIComponent(match[1]!)) ?? fail(500, "no such task");
      return {
        upid: task.upid,
        node: task.node,
        type: task.type,
        id: task.id,
        status: task.status,
        ...(task.exitstatus ? { exitstatus: task.exitstatus } : {}),
        starttime: task.startTime,
      };
    }
    if ((match = /^\/tasks\/([^/]+)\/log$/.exec(rest)) && method === "GET") {
      const task = tasks.get(decodeURIComponent(match[1]!)) ?? fail(500, "no such task");
      const start = Number(params.start ?? 0);
      const limit = Number(params.limit ?? 50);
      return {
        __total: task.log.length,
        lines: task.log.slice(start, start + limit).map((t, index) => ({ n: start + index + 1, t })),
      };
    }
    if ((match = /^\/tasks\/([^/]+)$/.exec(rest)) && method === "DELETE") {
      const task = tasks.get(decodeURIComponent(match[1]!)) ?? fail(500, "no such task");
      if (task.status === "running") {
        clearTimeout(task.timer);
        task.onInterrupt?.();
        task.log.push("received interrupt", "TASK ERROR: interrupted by signal");
        task.exitstatus = "interrupted by signal";
        task.status = "stopped";
      }
      return null;
    }
    if (rest === "/tasks" && method === "GET") {
      const vmid = params.vmid;
      return [...tasks.values()]
        .filter((task) => task.node === node && (vmid === undefined || task.id === vmid))
        .slice(-Number(params.limit ?? 50))
        .map((task) => ({
          upid: task.upid,
          type: task.type,
          id: task.id,
          starttime: task.startTime,
          status: task.exitstatus ?? "running",
          node: task.node,
        }));
    }
    if (rest === "/vzdump" && method === "POST") {
      const vmid = Number(params.vmid);
      guest(node, vmid);
      return startTask(
        node,
        "vzdump",
        String(vmid),
        [`INFO: starting new backup job: vzdump ${vmid} --storage ${params.storage}`, "INFO: Finished Backup of VM"],
        () => void fake.backups.push({ vmid, storage: params.storage ?? "" }),
      );
    }

    if (rest === "/qemu" && method === "POST") {
      const newid = Number(
        params.vmid ??
          fail(400, "Parameter verification failed.", { vmid: "property is missing and it is not optional" }),
      );
      if (vms.has(newid))
        return fail(500, `unable to create VM ${newid} - VM ${newid} already exists on node '${vms.get(newid)!.node}'`);
      const created: FakeVm = {
        vmid: newid,
        node,
        name: params.name ?? `VM ${newid}`,
        template: false,
        status: "stopped",
        config: {
          lock: "create",
          ...(params.name ? { name: params.name } : {}),
          ...(params.tags ? { tags: params.tags } : {}),
          ...(params.description ? { description: params.description } : {}),
          memory: Number(params.memory ?? 512),
          cores: Number(params.cores ?? 1),
        },
        lock: "create",
        ...(params.pool ? { pool: params.pool } : {}),
      };
      vms.set(newid, created);
      return startTask(
        node,
        "qmcreate",
        String(newid),
        [`create VM ${newid}`],
        () => {
          delete created.lock;
          delete created.config.lock;
        },
        () => void vms.delete(newid),
      );
    }
    const qemu = /^\/qemu\/(\d+)(\/.*)?$/.exec(rest);
    if (!qemu) return fail(501, `Method '${method} /api2/json${path}' not implemented`);
    const vmid = Number(qemu[1]);
    const action = qemu[2] ?? "";

    if (action === "/clone" && method === "POST") {
      const source = guest(node, vmid);
      const newid = Number(params.newid);
      const full = params.full === undefined ? !source.template : params.full === "1";
      const target = params.target ?? node;
      if (!nodes.has(target)) return fail(500, `no such cluster node '${target}'`);
      if (target !== node && !fake.sharedStorage)
        return fail(500, `can't clone VM to node '${target}' (VM uses local storage)`);
      if (params.storage !== undefined && !full) return fail(500, "parameter 'storage' not allowed for linked clones");
      if (vms.has(newid)) return fail(500, `unable to create VM ${newid}: config file already exists`);
      let placeholder: FakeVm | undefined;
      const removePlaceholder = () => {
        if (placeholder && vms.get(newid) === placeholder) vms.delete(newid);
      };
      const upid = startTask(
        node,
        "qmclone",
        String(vmid),
        [
          `create ${full ? "full" : "linked"} clone of drive scsi0 (${String(source.config.scsi0)})`,
          "transferred 2.0 GiB of 2.0 GiB (100.00%)",
        ],
        () => {
          if (!full && !fake.linkedCloneSupported)
            throw new Error(
              `clone failed: clone feature is not supported for 'local:${vmid}/base-${vmid}-disk-0.raw' (scsi0)`,
            );
          if (!placeholder) throw new Error(`clone failed: unable to create VM ${newid}: config file already exists`);
          const config: Record<string, string | number> = {
            ...source.config,
            name: params.name ?? `Copy-of-VM-${source.name}`,
          };
          delete config.template;
          config.scsi0 = String(source.config.scsi0).replace(`base-${vmid}-disk-0`, `vm-${newid}-disk-0`);
          fake.volumes.set(volidOf(String(config.scsi0)), "");
          if (params.description) config.description = params.description;
          placeholder.config = config;
          placeholder.name = String(config.name);
          delete placeholder.lock;
        },
        removePlaceholder,
      );
      if (cloneRaces > 0) {
        cloneRaces -= 1;
        fake.addForeignVm({ vmid: newid, node: target, name: `raced-${newid}` });
      }
      // The worker takes the new VMID's config under its lock when it starts; a second clone to
      // the same ID that got past the early check fails here, in its task.
      setImmediate(() => {
        if (vms.has(newid)) {
          placeholder = undefined;
          return;
        }
        placeholder = {
          vmid: newid,
          node: target,
          name: params.name ?? "",
          template: false,
          status: "stopped",
          config: { lock: "clone" },
          lock: "clone",
          ...(params.pool ? { pool: params.pool } : {}),
        };
        vms.set(newid, placeholder);
      });
      return upid;
    }

    const vm = guest(node, vmid);
    if (action === "/move_disk" && method === "POST") {
      const disk =
        params.disk ??
        fail(400, "Parameter verification failed.", { disk: "property is missing and it is not optional" });
      const drive = vm.config[disk];
      if (params["target-vmid"] === undefined)
        return fail(501, "moving a disk to another storage is not modelled by the fake");
      const targetId = Number(params["target-vmid"]);
      const targetKey = params["target-disk"] ?? disk;
      if (targetId === vmid)
        return fail(400, "Parameter verification failed.", {
          "target-vmid": "must be different than source VMID to reassign disk",
        });
      // The checks and messages of qemu-server's $load_and_check_reassign_configs, in its order.
      const target = vms.get(targetId);
      if (!target) return fail(500, `could not find target VM ${targetId}`);
      if (target.node !== node) return fail(500, `Both VMs need to be on the same node (${node} != ${target.node})`);
      if (vm.lock || target.lock) return fail(500, `VM is locked (${vm.lock ?? target.lock})`);
      if (vm.template || target.template) return fail(500, "Can't move disks from or to template VMs");
      if (typeof drive !== "string") return fail(500, `Disk '${disk}' for VM '${vmid}' does not exist`);
      if (target.config[targetKey] !== undefined)
        return fail(500, `Target disk key '${targetKey}' is already in use for VM '${targetId}'`);
      if (!disk.startsWith("unused") && vm.status === "running")
        return fail(500, "Cannot move disk to another VM while the source VM is running - detach first");
      if (!targetKey.startsWith("unused") && target.status === "running")
        return fail(500, `Cannot attach '${targetKey}' to running VM ${targetId} in this fake.`);
      return startTask(
        node,
        "qmmove",
        `${vmid}-${disk}>${targetId}-${targetKey}`,
        [`reassign disk '${disk}' from VM '${vmid}' as '${targetKey}' to VM '${targetId}'`],
        () => {
          if (vm.config[disk] !== drive || target.config[targetKey] !== undefined)
            throw new Error("configuration changed while moving the disk");
          const volid = volidOf(drive);
          const [storage] = volid.split(":");
          let index = 0;
          while (fake.volumes.has(`${storage}:vm-${targetId}-disk-${index}`)) index += 1;
          const renamed = `${storage}:vm-${targetId}-disk-${index}`;
          fake.volumes.set(renamed, fake.volumes.get(volid) ?? "");
          fake.volumes.delete(volid);
          delete vm.config[disk];
          target.config[targetKey] = targetKey.startsWith("unused") ? renamed : drive.replace(volid, renamed);
        },
      );
    }
    if (action === "/config" && method === "GET") return { ...vm.config, digest: "0".repeat(40) };
    if (action === "/config" && (method === "POST" || method === "PUT")) {
      if (vm.lock) return fail(500, `VM is locked (${vm.lock})`);
      const changes = { ...params };
      if (changes.sshkeys !== undefined) {
        const keys = decodeSshKeys(changes.sshkeys);
        if (keys.length === 0 || keys.some((line) => !/^(ssh-|ecdsa-|sk-)/.test(line)))
          return fail(400, "Parameter verification failed.", { sshkeys: "invalid format - ssh public keys" });
      }
      // A drive given as `STORAGE:SIZE_IN_GiB[,opts]` allocates a new volume (qemu-server's
      // `$NEW_DISK_RE`, fractions allowed); an unknown storage fails the update task.
      const newVolumes: string[] = [];
      for (const [option, value] of Object.entries(changes)) {
        const drive = /^(scsi|virtio|sata|ide)\d+$/.test(option)
          ? /^([^/:\s]+):(\d+(?:\.\d+)?)(,.*)?$/.exec(value)
          : null;
        if (!drive) continue;
        const index =
          Object.values(vm.config).filter(
            (existing) => typeof existing === "string" && existing.includes(`vm-${vmid}-disk-`),
          ).length + newVolumes.length;
        changes[option] =
          `${drive[1]}:vm-${vmid}-disk-${index},${(drive[3] ?? "").replace(/^,/, "")}${drive[3] ? "," : ""}size=${Number(drive[2]) * 1024}M`;
        newVolumes.push(drive[1]!);
      }
      const apply = () => {
        const unknown = newVolumes.find((storage) => !fakeStorages.has(storage));
        if (unknown !== undefined) throw new Error(`storage '${unknown}' does not exist`);
        for (const [option, value] of Object.entries(changes)) {
          vm.config[option] = /^\d+$/.test(value) ? Number(value) : value;
          if (/^(scsi|virtio|sata|ide)\d+$/.test(option) && newVolumes.length > 0 && !fake.volumes.has(volidOf(value)))
            fake.volumes.set(volidOf(value), "");
        }
        if (changes.delete !== undefined) {
          // `delete=scsi1` detaches a disk: it stays as the next free `unusedN` (qemu-server's vmconfig_delete_or_detach_drive).
          for (const key of changes.delete.split(/[,;]/)) {
            const drive = vm.config[key];
            delete vm.config[key];
            if (
              typeof drive === "string" &&
              /^(scsi|virtio|sata|ide)\d+$/.test(key) &&
              fake.volumes.has(volidOf(drive))
            )
              vm.config[freeUnused(vm)] = volidOf(drive);
          }
          delete vm.config.delete;
        }
      };
      if (method === "PUT") {
        apply();
        return null;
      }
      return startTask(node, "qmconfig", String(vmid), ["update VM config"], apply);
    }
    if (action === "/resize" && method === "PUT") {
      const disk = params.disk ?? "";
      const current =
        typeof vm.config[disk] === "string" ? String(vm.config[disk]) : fail(500, `disk '${disk}' does not exist`);
      const wanted = params.size ?? "";
      const toBytes = (size: string) => {
        const found =
          /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size) ??
          fail(400, "Parameter verification failed.", { size: "value does not match the regex pattern" });
        return (
          Number(found[1]) *
          ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as Record<string, number>)[found[2] ?? ""]!
        );
      };
      const have = toBytes(/size=([^,]+)/.exec(current)?.[1] ?? "0");
      if (toBytes(wanted) < have) return fail(500, "shrinking disks is not supported");
      return startTask(node, "resize", String(vmid), [`Image resized to ${wanted}`], () => {
        vm.config[disk] = current.replace(/size=[^,]+/, `size=${wanted}`);
      });
    }
    if (action === "/status/current" && method === "GET") {
      return {
        vmid,
        name: vm.name,
        status: vm.status,
        qmpstatus: vm.status,
        agent: vm.config.agent === "1" || vm.config.agent === 1 ? 1 : 0,
        uptime: vm.status === "running" ? 42 : 0,
        ...(vm.lock ? { lock: vm.lock } : {}),
      };
    }
    if (action === "/status/start" && method === "POST") {
      if (vm.template) return fail(500, "you can't start a vm if it's a template");
      return startTask(node, "qmstart", String(vmid), [`start VM ${vmid}`], () => {
        if (vm.status === "running") throw new Error(`VM ${vmid} already running`);
        vm.status = "running";
        vm.agentReadyAt = Date.now() + fake.agentDelayMs;
        addressCounter += 1;
        vm.address = `10.20.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`;
      });
    }
    if ((action === "/status/stop" || action === "/status/shutdown") && method === "POST") {
      return startTask(
        node,
        action === "/status/stop" ? "qmstop" : "qmshutdown",
        String(vmid),
        [`${action.slice(8)} VM ${vmid}`],
        () => {
          vm.status = "stopped";
          delete vm.agentReadyAt;
        },
      );
    }
    if (action === "/status/reboot" && method === "POST") {
      if (vm.status !== "running") return fail(500, `VM ${vmid} not running`);
      return startTask(
        node,
        "qmreboot",
        String(vmid),
        [`reboot VM ${vmid}`],
        () => void (vm.agentReadyAt = Date.now() + fake.agentDelayMs),
      );
    }
    if (action === "/agent/network-get-interfaces" && method === "GET") {
      if (vm.status !== "running") return fail(500, `VM ${vmid} is not running`);
      if (vm.agentReadyAt === undefined || Date.now() < vm.agentReadyAt)
        return fail(500, "QEMU guest agent is not running");
      return {
        result: [
          { name: "lo", "ip-addresses": [{ "ip-address": "127.0.0.1", "ip-address-type": "ipv4", prefix: 8 }] },
          {
            name: "eth0",
            "hardware-address": "bc:24:11:00:00:01",
            "ip-addresses": (vm.agentAddresses ?? [vm.address ?? "", "fe80::be24:11ff:fe00:1"]).map((address) => ({
              "ip-address": address,
              "ip-address-type": address.includes(":") ? "ipv6" : "ipv4",
              prefix: 24,
            })),
          },
        ],
      };
    }
    if (action === "/agent/exec" && method === "POST") {
      if (vm.status !== "running" || vm.agentReadyAt === undefined || Date.now() < vm.agentReadyAt)
        return fail(500, "QEMU guest agent is not running");
      const command = commands.get(text) ?? [];
      fake.agentCommands.push({ vmid, command });
      pidCounter += 1;
      const output =
        command[0] === "journalctl"
          ? [
              "2026-12-01T12:00:00+0000 lab systemd[1]: Started ssh.service - OpenBSD Secure Shell server.",
              "2026-12-01T12:00:01+0000 lab cloud-init[412]: Cloud-init v. 24.1 finished",
            ].join("\n") + "\n"
          : "";
      execResults.set(pidCounter, output);
      return { pid: pidCounter };
    }
    if (action === "/agent/exec-status" && method === "GET") {
      const output = execResults.get(Number(params.pid));
      if (output === undefined) return fail(500, `Agent error: Invalid parameter 'pid'`);
      return { exited: 1, exitcode: 0, "out-data": output };
    }
    if (action === "" && method === "DELETE") {
      if (vm.status === "running") return fail(500, `VM ${vmid} is running - destroy failed`);
      if (vm.template && params.purge === undefined) return fail(500, "refusing to delete a template without purge");
      return startTask(
        node,
        "qmdestroy",
        String(vmid),
        [`destroy VM ${vmid}`, `Removing image: 100% complete...done.`],
        () => {
          for (const [key, value] of Object.entries(vm.config)) {
            if (typeof value === "string" && /^(scsi|virtio|sata|ide|unused)\d+$/.test(key))
              fake.volumes.delete(volidOf(value));
          }
          vms.delete(vmid);
        },
      );
    }
    return fail(501, `Method '${method} /api2/json${path}' not implemented`);
  };

  const answer = (response: ServerResponse, status: number, reason: string, body: unknown) => {
    response.writeHead(status, reason.replace(/[^\x20-\x7e]/g, " "), {
      "content-type": "application/json;charset=UTF-8",
    });
    response.end(JSON.stringify(body));
  };

  const handle = (request: IncomingMessage, response: ServerResponse, text: string) => {
    const url = new URL(request.url ?? "/", "https://fake");
    const method = request.method ?? "GET";
    const isForm = (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    const params: Record<string, string> = {
      ...Object.fromEntries(url.searchParams),
      ...(isForm ? Object.fromEntries(new URLSearchParams(text)) : {}),
    };
    if (isForm) commands.set(text, new URLSearchParams(text).getAll("command"));
    const path = url.pathname.replace(/^\/api2\/json/, "");
    const authenticated = request.headers.authorization === `PVEAPIToken=${tokenId}=${tokenSecret}`;
    requests.push({ method, path, params, authenticated });
    if (!url.pathname.startsWith("/api2/json/")) return answer(response, 404, "Not Found", { data: null });
    if (!authenticated)
      return answer(response, 401, "invalid token value!", { data: null, message: "invalid token value!\n" });
    const injected = injectedRequestFailures.findIndex((entry) => entry.pattern.test(path));
    if (injected >= 0) {
      const failure = injectedRequestFailures.splice(injected, 1)[0]!;
      return answer(response, failure.status, failure.message, { data: null, message: `${failure.message}\n` });
    }
    if (fake.forbidden.some((pattern) => pattern.test(path))) {
      return answer(response, 403, "Permission check failed", {
        data: null,
        message: `Permission check failed (${path}, VM.Allocate)\n`,
      });
    }
    try {
      const data = route(method, path, params, text);
      if (data !== null && typeof data === "object" && "__total" in data) {
        const { __total, lines } = data as { __total: number; lines: unknown };
        return answer(response, 200, "OK", { data: lines, total: __total });
      }
      return answer(response, 200, "OK", { data });
    } catch (error) {
      if (error instanceof ApiFailure)
        return answer(response, error.status, error.message, {
          data: null,
          message: `${error.message}\n`,
          ...(error.errors ? { errors: error.errors } : {}),
        });
      return answer(response, 500, (error as Error).message, { data: null, message: (error as Error).message });
    }
  };

  const server: Server = createServer({ key, cert: certificatePem }, (request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => handle(request, response, text));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(fake, {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const task of tasks.values()) clearTimeout(task.timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return fake;
}

/** The volume id in a drive option string (`local-lvm:vm-1-disk-0,size=8G` → `local-lvm:vm-1-disk-0`). */
export function volidOf(drive: string): string {
  return drive.split(",")[0] ?? drive;
}

function freeUnused(vm: FakeVm): string {
  let index = 0;
  while (vm.config[`unused${index}`] !== undefined) index += 1;
  return `unused${index}`;
}

/** The node a UPID's task runs on (for assertions). */
export function taskNode(upid: string): string | undefined {
  return parseUpid(upid)?.node;
}
