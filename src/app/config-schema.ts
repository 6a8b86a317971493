/**
 * The configuration schema: one file (`VOXNIX_CONFIG`, YAML or JSON) plus environment
 * overrides, validated at start-up. Every key has a default, so voxnix runs with no file.
 * Secrets are never literal values in the file: each secret is a `*File` path (the agenix
 * way) or comes from an environment variable.
 *
 * @module
 */
import { z } from "zod";
import { formatSize, sizeSchema } from "../domain/sizes.js";
import { RESOURCE_MINIMUMS } from "../domain/spec.js";
import { interfaceNameProblem, privateSubnetProblem } from "../domain/network.js";
import { userIdSchema } from "../domain/identity.js";
import { MAX_IDLE_TIMEOUT_MS, parseDuration, parseWorkingHours } from "../domain/idle.js";
import { normaliseFingerprint } from "../runtimes/proxmox/fingerprint.js";

const seconds = (fallback: number) => z.number().positive().default(fallback);
const cpus = (fallback: number) => z.number().min(RESOURCE_MINIMUMS.cpus, `must be at least ${RESOURCE_MINIMUMS.cpus} CPUs`).default(fallback);
const memory = (fallback: number) =>
  sizeSchema
    .refine((bytes) => bytes >= RESOURCE_MINIMUMS.memoryBytes, `must be at least ${formatSize(RESOURCE_MINIMUMS.memoryBytes)}`)
    .default(fallback);
/** A string checked by `problem`, whose answer (when there is one) is the issue's message. */
const checked = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const message = problem(value);
    if (message !== undefined) context.addIssue({ code: "custom", message });
  });
/** A duration like "2h", "90m", "1h30m", "45s" (a number is minutes); "0"/"off" is 0. In milliseconds. */
const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, context) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms > MAX_IDLE_TIMEOUT_MS) {
        context.addIssue({ code: "custom", message: 'must be a duration like "2h", "90m" or "45s" (at most 7d), or "off"' });
        return z.NEVER;
      }
      return ms;
    });
const pids = (fallback: number) => z.number().int().min(RESOURCE_MINIMUMS.pids, `must be at least ${RESOURCE_MINIMUMS.pids} processes`).default(fallback);

export const BACKEND_NAMES = ["nspawn", "nixos"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const STORAGE_DRIVER_NAMES = ["btrfs", "zfs", "dir"] as const;
export type StorageDriverName = (typeof STORAGE_DRIVER_NAMES)[number];

export const configSchema = z
  .object({
    /** Which container backend runs workloads. */
    backend: z.enum(BACKEND_NAMES).default("nspawn"),
    /** Where the database and generated files live (absolute). Defaults to $XDG_STATE_HOME/voxnix. */
    stateDir: z.string().optional(),

    users: z
      .object({
        /** Users who are admins from the start. `local:admin` is always an admin. */
        admins: z.array(userIdSchema).default([]),
        /** Users admitted without an admin's approval. */
        allowlist: z.array(userIdSchema).default([]),
        /** Limits given to a new user. */
        defaults: z
          .object({
            diskQuota: sizeSchema.default(10 * 1024 ** 3),
            maxWorkloads: z.number().int().positive().default(5),
            cpuBudget: cpus(4),
            memoryBudget: memory(8 * 1024 ** 3),
            /** Processes summed over a user's workloads' `pids` limits. */
            pidsBudget: pids(4096),
            /** The longest inactivity timeout a user's workloads may have ("8h"); absent: no maximum. */
            maxIdleTimeout: z
              .union([z.string(), z.number()])
              .transform((value, context) => {
                const ms = parseDuration(value);
                if (ms === undefined || ms === 0 || ms > MAX_IDLE_TIMEOUT_MS) {
                  context.addIssue({ code: "custom", message: 'must be a duration like "8h" (at most 7d); leave it out for no maximum' });
                  return z.NEVER;
                }
                return ms;
              })
              .optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict().prefault({}),

    /** Per-workload resource defaults and admin-set maxima. */
    resources: z
      .object({
        defaultCpus: cpus(1),
        maxCpus: cpus(4),
        defaultMemory: memory(1024 ** 3),
        maxMemory: memory(8 * 1024 ** 3),
        /** Most processes (tasks) one workload may run: the cgroup `pids.max`. */
        defaultPids: pids(512),
        maxPids: pids(4096),
      })
      .strict()
      .prefault({}),

    /** Choices that weaken isolation; every one is off unless the admin turns it on. */
    security: z
      .object({
        /** Allow code-server with `auth: none` (a root shell for whoever reaches its port). */
        allowCodeServerWithoutAuth: z.boolean().default(false),
      })
      .strict()
      .prefault({}),

    confirmations: z.object({ ttlSeconds: seconds(300) }).strict().prefault({}),
    snapshots: z.object({ undoWindowHours: z.number().positive().default(24) }).strict().prefault({}),

    storage: z
      .object({
        driver: z.enum(STORAGE_DRIVER_NAMES).optional(),
        zfs: z
          .object({
            pool: z.string().default("tank"),
            /** Where the pool's datasets are mounted; defaults to /<pool> (services.voxnix.poolMountpoint sets it). */
            mountpoint: z.string().optional(),
          })
          .strict()
          .prefault({}),
        btrfs: z
          .object({
            /** A block device to use instead of a loop image. */
            device: z.string().optional(),
            /** Loop image file, created when missing. Defaults to <stateDir>/storage.btrfs.img. */
            image: z.string().optional(),
            imageSize: sizeSchema.default(20 * 1024 ** 3),
            /** Where the file system is mounted. Defaults to <stateDir>/storage. */
            mountpoint: z.string().optional(),
          })
          .strict().prefault({}),
        dir: z.object({ root: z.string().optional() }).strict().prefault({}),
      })
      .strict().prefault({}),

    nixos: z
      .object({
        /** The voxnix source (holding nix/) that generated wrappers import. */
        flakePath: z.string().optional(),
        hostBridge: checked(interfaceNameProblem).default("br-vox"),
        createTimeoutSeconds: seconds(1800),
        commandTimeoutSeconds: seconds(120),
        /** Module sets pre-built by `voxnix images build`. */
        images: z.array(z.array(z.string())).default([["git", "fish", "workspace"]]),
      })
      .strict().prefault({}),

    /** VMs: which runtime runs them, and the QEMU runtime's settings (docs/vms.md). */
    vm: z
      .object({
        /**
         * Which runtime runs `kind: vm` workloads: `qemu` (this host), `microvm` (microvm.nix on
         * the NixOS appliance, `microvm.*`), `proxmox` (a cluster, `proxmox.*`), `none`, or
         * `auto` (Proxmox when `proxmox.url` is set, else none).
         */
        runtime: z.enum(["auto", "none", "qemu", "microvm", "proxmox"]).default("auto"),
        /** Where VM folders live. Defaults to <stateDir>/vm. */
        root: z.string().optional(),
        /** Where base images are built and kept. Defaults to <root>/images; tests point it at a shared cache. */
        imageDir: z.string().optional(),
        /** Where debootstrap keeps downloaded packages between image builds. */
        packageCache: z.string().optional(),
        suite: z.string().regex(/^[a-z]+$/, "must be a Debian suite name like bookworm").default("bookworm"),
        mirror: z.string().url().default("http://deb.debian.org/debian"),
        /** `auto` tries KVM and falls back to TCG emulation; `tcg` never tries KVM. */
        accelerator: z.enum(["auto", "kvm", "tcg"]).default("auto"),
        /** QEMU's translation cache under TCG, in MiB (QEMU's default is 1024 per VM). */
        tbSizeMiB: z.number().int().min(32).max(2048).default(256),
        /** The host user QEMU drops to once its files are open; empty to keep root (not recommended). */
        runAs: z.string().regex(/^([a-z_][a-z0-9_-]{0,31})?$/, "must be a user name").default("voxnix-vm"),
        /** Whether guests may open connections to the outside. Off: a guest reaches nothing, only its forwarded SSH port reaches it. */
        outbound: z.boolean().default(false),
        bootTimeoutSeconds: seconds(240),
        stopTimeoutSeconds: seconds(30),
        defaultCpus: z.number().int().min(1).max(64).default(1),
        maxCpus: z.number().int().min(1).max(64).default(4),
        defaultMemory: sizeSchema.default(512 * 1024 ** 2),
        maxMemory: sizeSchema.default(8 * 1024 ** 3),
        defaultDisk: sizeSchema.default(4 * 1024 ** 3),
        maxDisk: sizeSchema.default(64 * 1024 ** 3),
        defaultWorkspace: sizeSchema.default(1024 ** 3),
        maxWorkspace: sizeSchema.default(64 * 1024 ** 3),
      })
      .strict()
      .prefault({}),

    /**
     * The microvm runtime (VMs on the NixOS appliance through microvm.nix, docs/vms.md). Sizes,
     * maxima and the boot timeout are the `vm.*` ones.
     */
    microvm: z
      .object({
        /** The voxnix flake whose `lib.microvmRunner` builds each VM (its pinned nixpkgs and microvm.nix). Defaults to nixos.flakePath. */
        flake: z.string().optional(),
        /** microvm.nix's state directory on the host (`microvm.stateDir`): microvm@NAME.service runs NAME/current/bin/microvm-run there. */
        stateDir: z.string().regex(/^\/[A-Za-z0-9._@+/-]*$/, "must be an absolute path of letters, digits and . _ @ + / -").default("/var/lib/microvms"),
        /** The hypervisor of new VMs. Only qemu (user-mode networking, SSH forwarded to 127.0.0.1) is run by voxnix today. */
        hypervisor: z.enum(["qemu"]).default("qemu"),
        /** Where voxnix keeps each VM's spec, seed and keys. Defaults to <stateDir>/microvm. */
        root: z.string().optional(),
        /** Building one VM's runner (nix build); the first build of a new configuration takes longest. */
        buildTimeoutSeconds: seconds(1800),
        /** systemctl and journalctl calls. */
        commandTimeoutSeconds: seconds(120),
      })
      .strict()
      .prefault({}),

    nspawn: z
      .object({
        /** Where base images and container roots live. Defaults to <stateDir>/nspawn. */
        root: z.string().optional(),
        suite: z.string().default("bookworm"),
        mirror: z.string().default("http://deb.debian.org/debian"),
        bridge: checked(interfaceNameProblem).default("vx-br0"),
        subnet: checked(privateSubnetProblem).default("10.231.0.0/24"),
        nat: z.boolean().default(true),
        /** What the host accepts from containers besides DHCP and DNS: `icmp`, `tcp/<port>`, `udp/<port>`. */
        hostAccess: z.array(z.string().regex(/^(icmp|(tcp|udp)\/([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))$/, "write icmp, tcp/<port> or udp/<port>")).default([]),
        bootTimeoutSeconds: seconds(60),
        stopTimeoutSeconds: seconds(20),
      })
      .strict().prefault({}),

    tailscale: z
      .object({
        /** Refused: a reusable key copied into containers lets root in any of them add devices. */
        authKeyFile: z.string().optional(),
        /** The OAuth client (auth_keys scope) that mints one single-use key per container. Without it, remote access is unavailable. */
        oauthClientId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "is not an OAuth client id").optional(),
        oauthClientSecretFile: z.string().optional(),
        /** Tags every minted key carries (the OAuth client must own them); at least one is required by Tailscale. */
        tags: z.array(z.string().regex(/^tag:[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'is not a tag; write it like "tag:voxnix"')).default([]),
        /** Whether containers join as ephemeral nodes (removed by Tailscale once offline for a while). */
        ephemeral: z.boolean().default(true),
        /** How long a minted key stays usable if the container never joins. */
        keyExpirySeconds: z.number().int().min(60).max(90 * 24 * 3600).default(3600),
        apiUrl: z.string().url().default("https://api.tailscale.com"),
        tailnet: z.string().regex(/^[A-Za-z0-9._@-]+$/).default("-"),
        requestTimeoutSeconds: seconds(15),
      })
      .superRefine((tailscale, context) => {
        if (tailscale.authKeyFile !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["authKeyFile"],
            message:
              "is no longer supported: a reusable key copied into containers lets root in any of them add devices to your tailnet. Configure tailscale.oauthClientId, tailscale.oauthClientSecretFile and tailscale.tags instead; voxnix then mints one single-use key per container.",
          });
        }
        const oauth = [tailscale.oauthClientId, tailscale.oauthClientSecretFile];
        if (oauth.some((value) => value !== undefined) && oauth.some((value) => value === undefined)) {
          context.addIssue({ code: "custom", path: [tailscale.oauthClientId === undefined ? "oauthClientId" : "oauthClientSecretFile"], message: "tailscale.oauthClientId and tailscale.oauthClientSecretFile go together." });
        }
        if (tailscale.oauthClientId !== undefined && tailscale.tags.length === 0) {
          context.addIssue({ code: "custom", path: ["tags"], message: 'keys minted by an OAuth client must carry at least one tag the client owns, like ["tag:voxnix"].' });
        }
      })
      .strict().prefault({}),

    /** Proxmox VE: VMs on a cluster (docs/proxmox.md). Unset `url` leaves Proxmox off. */
    proxmox: z
      .object({
        /** The API endpoint of any cluster node, `https://pve1.lan:8006` (no path). */
        url: z.string().url().refine((value) => new URL(value).protocol === "https:", "must be an https:// URL").optional(),
        /** The API token's id, `user@realm!tokenid`. */
        tokenId: z.string().regex(/^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]{1,127}$/, 'must look like "voxnix@pve!voxnix" (user@realm!tokenid)').optional(),
        /** A file holding only the token's secret (agenix); never the secret itself. */
        tokenSecretFile: z.string().optional(),
        /** Trust for the cluster's self-signed certificate: the cluster CA file or the node certificate's SHA-256 fingerprint. */
        tls: z
          .object({
            caFile: z.string().optional(),
            fingerprint: z.string().refine((value) => normaliseFingerprint(value) !== undefined, "is not a SHA-256 fingerprint (64 hex digits, colons optional)").optional(),
          })
          .strict()
          .refine((tls) => tls.caFile === undefined || tls.fingerprint === undefined, "set caFile or fingerprint, not both")
          .prefault({}),
        /** VMID of the cloud-init template every VM is cloned from. */
        template: z.number().int().min(100).max(999_999_999).optional(),
        /** Storage for full clones' disks; unset keeps the template's storage (and allows linked clones). */
        storage: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/, "is not a Proxmox storage id").optional(),
        /** Resource pool new VMs join (the token's permissions can then be limited to it). */
        pool: z.string().regex(/^[A-Za-z0-9._-]+$/, "is not a Proxmox pool id").optional(),
        /** Nodes VMs may be placed on, in order of preference; empty allows every node. */
        nodes: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, "is not a node name")).default([]),
        /** The VMIDs voxnix owns; it allocates only inside this range and never reuses an ID. */
        vmidRange: z
          .object({ first: z.number().int().min(100).max(999_999_999), last: z.number().int().min(100).max(999_999_999) })
          .strict()
          .refine((range) => range.first <= range.last, "first must not be above last")
          .default({ first: 10_000, last: 10_999 }),
        /** How a node is chosen: the most free memory, or the first usable node in `nodes` order. */
        placement: z.enum(["most-free-memory", "node-order"]).default("most-free-memory"),
        /** `auto` makes a linked clone when the storage supports it and a full clone otherwise. */
        cloneMode: z.enum(["auto", "linked", "full"]).default("auto"),
        /** The template's disk that is resized to the VM's disk size. */
        disk: z.string().regex(/^(scsi|virtio|sata|ide)\d{1,2}$/, "must be a disk key like scsi0").default("scsi0"),
        /** The user cloud-init creates with the owner's SSH keys. */
        ciUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a user name").default("voxnix"),
        /** Cloud-init `ipconfig0`, e.g. `ip=dhcp` or `ip=10.0.0.5/24,gw=10.0.0.1`. */
        ipConfig: z.string().regex(/^[A-Za-z0-9=,./:]+$/, "is not an ipconfig value like ip=dhcp").default("ip=dhcp"),
        /** Back the VM up with vzdump to this storage before a destroy (Proxmox snapshots die with the VM). */
        backupBeforeDestroy: z.object({ storage: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/) }).strict().optional(),
        /**
         * Let `logs` read a managed VM's journal through the guest agent (`agent/exec`). Off by
         * default: it needs VM.GuestAgent.Unrestricted, which lets the token run any command in the pool's VMs.
         */
        journalViaAgent: z.boolean().default(false),
        /** VMs voxnix did not create but may start and stop; every other change to them is refused. */
        imports: z.array(z.object({ vmid: z.number().int().min(100), allowPowerControl: z.boolean().default(false) }).strict()).default([]),
        requestTimeoutSeconds: seconds(30),
        /** How long one Proxmox task (clone, start, delete, backup) may run. */
        taskTimeoutSeconds: seconds(900),
        /** How long a started VM has to report an address through the guest agent. */
        bootTimeoutSeconds: seconds(300),
        /** Other templates a definitions file may name per VM (`template:`), besides `template`. */
        templates: z.array(z.number().int().min(100).max(999_999_999)).default([]),
        /** The workspace disk: a second disk of the VM's workspace size, kept apart from the root disk. */
        workspaceDisk: z.string().regex(/^(scsi|virtio|sata)\d{1,2}$/, "must be a disk key like scsi1").default("scsi1"),
        /** Storage for workspace disks; unset uses the storage of the VM's root disk. */
        workspaceStorage: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/, "is not a Proxmox storage id").optional(),
        /** `voxnix proxmox apply`: the fleet steps after a VM is up, and the git audit trail. */
        fleet: z
          .object({
            /**
             * The install command for entries with `nixos: true`, as argv (never a shell line):
             * `{name}`, `{address}` and `{user}` are replaced, e.g.
             * ["nixos-anywhere", "--flake", ".#{name}", "{user}@{address}"].
             */
            nixosCommand: z.array(z.string().min(1)).min(1).optional(),
            /** Working directory of the install command (the flake). */
            nixosDirectory: z.string().optional(),
            nixosTimeoutSeconds: seconds(3600),
            /** The user the install command and ssh-keyscan address (cloud-init's `ciUser` by default). */
            sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a user name").optional(),
            /** The VMs' SSH port for ssh-keyscan and the install command. */
            sshPort: z.number().int().min(1).max(65535).default(22),
            /** Pinned host keys of the VMs (OpenSSH known_hosts); defaults to <stateDir>/proxmox/known_hosts. */
            knownHostsFile: z.string().optional(),
            /** age-encrypted secrets re-encrypted for every applied host's key (with `age`). */
            secrets: z
              .object({
                /** The admin's age identity that can decrypt the files (read by age, never by voxnix). */
                identityFile: z.string(),
                /** age recipients (public keys) that must always be able to decrypt, one per line. */
                recipientsFile: z.string().optional(),
                /** Absolute paths of the age-encrypted files. */
                files: z.array(z.string().refine((value) => value.startsWith("/"), "must be an absolute path")).min(1),
              })
              .strict()
              .optional(),
            /** A git work tree where each apply commits the definitions file and a state summary. */
            gitRepo: z.string().optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .superRefine((proxmox, context) => {
        if (proxmox.url === undefined) return;
        for (const key of ["tokenId", "tokenSecretFile", "template"] as const) {
          if (proxmox[key] === undefined) context.addIssue({ code: "custom", path: [key], message: `is required when proxmox.url is set.` });
        }
      })
      .prefault({}),

    telegram: z
      .object({
        tokenFile: z.string().optional(),
        mode: z.enum(["polling", "webhook"]).default("polling"),
        webhook: z.object({ url: z.string().url().optional(), port: z.number().int().default(8443), secretFile: z.string().optional() }).strict().prefault({}),
        /** Override for tests and local Bot API servers. */
        apiRoot: z.string().url().optional(),
      })
      .strict().prefault({}),

    /** Inactivity timers: stop what nobody uses (docs/idle.md). */
    idle: z
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
      .prefault({}),

    /** What `voxnix serve` runs besides the Telegram bot (which runs whenever a token is configured). */
    serve: z
      .object({
        /** Serve the HTTP API (on `http.listen`, loopback by default). */
        http: z.boolean().default(true),
        /** Minutes between periodic reconciles; 0 turns them off. */
        reconcileMinutes: z.number().int().min(0).max(24 * 60).default(10),
      })
      .strict().prefault({}),

    http: z
      .object({
        /** `host:port` the HTTP API listens on; loopback by default, so exposing it is a decision. */
        listen: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, like 127.0.0.1:8710 or [::1]:8710')
          .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535")
          .default("127.0.0.1:8710"),
        /** The URL people reach the API at (behind a proxy or Tailscale); shown in logs and the OpenAPI document. */
        publicUrl: z.string().url().optional(),
        /** Serve HTTPS with this certificate and key (PEM files); both or neither. */
        tls: z
          .object({ certFile: z.string().optional(), keyFile: z.string().optional() })
          .strict()
          .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), "set both certFile and keyFile, or neither")
          .prefault({}),
        /** How long a browser terminal's shell survives a dropped connection, so reconnecting reattaches to it (0: it ends at once). */
        terminalReattachSeconds: z.number().int().min(0).max(3600).default(60),
      })
      .strict().prefault({}),

    ssh: z
      .object({
        /** Whether people are told about the gateway (chat answers) and `voxnix serve` runs it beside the bot. */
        enabled: z.boolean().default(false),
        /** `host:port` the SSH gateway listens on; loopback by default, so exposing it is a decision. */
        listen: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, like 127.0.0.1:2222 or 0.0.0.0:2222")
          .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535")
          .default("127.0.0.1:2222"),
        /** The host name people type in `ssh -p PORT NAME@HOST` (a LAN name, a Tailscale name); default: the listen host. */
        publicHost: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, "must be a host name or address").optional(),
        /** The port people connect to, when a proxy or port mapping differs from `listen`. */
        publicPort: z.number().int().min(1).max(65535).optional(),
        /** Where the gateway's host key is kept (default `<stateDir>/ssh/host_ed25519_key`); generated on first start. */
        hostKeyFile: z.string().optional(),
        /** A connection with no data either way for this long is closed. */
        idleTimeoutMinutes: z.number().positive().default(30),
        /** Open sessions and forwards per person, over all their connections. */
        maxSessionsPerUser: z.number().int().positive().default(8),
        /** Failed authentication attempts before a connection is dropped. */
        maxAuthAttempts: z.number().int().min(1).max(20).default(6),
        /** New connections accepted per client address per minute. */
        connectionsPerMinute: z.number().int().positive().default(30),
        /** Connections open at once, all clients together. */
        maxConnections: z.number().int().positive().default(64),
        /** Seconds a client has to authenticate. */
        loginGraceSeconds: seconds(30),
      })
      .strict().prefault({}),

    llm: z
      .object({
        provider: z.enum(["none", "anthropic", "openai", "openai-compatible"]).default("none"),
        model: z.string().optional(),
        baseUrl: z.string().url().optional(),
        apiKeyFile: z.string().optional(),
        timeoutSeconds: seconds(60),
        maxSteps: z.number().int().positive().default(5),
      })
      .strict().prefault({}),

    conversations: z
      .object({ idleMinutes: z.number().positive().default(30), maxMessages: z.number().int().positive().default(40) })
      .strict().prefault({}),

    /** Unset: `warn` when stderr is a terminal (a person is reading), `info` otherwise (services, journald). */
    log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional() }).strict().prefault({}),
    telemetry: z.object({ otlpEndpoint: z.string().url().optional(), serviceName: z.string().default("voxnix") }).strict().prefault({}),
  })
  .strict();

/** The validated configuration. Secrets are not part of it; see `Secrets`. */
export type Config = z.output<typeof configSchema>;

/**
 * Secret values, read at start-up from `*File` paths or environment variables and kept
 * apart from `Config` so that printing the config can never print a secret.
 */
export interface Secrets {
  readonly telegramToken?: string;
  readonly llmApiKey?: string;
  readonly webhookSecret?: string;
}
