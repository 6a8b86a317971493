/**
 * Private networking: one host bridge (`nspawn.bridge`) whose address is the first host of
 * `nspawn.subnet`, a veth pair per container created by voxnix before boot (its container end
 * handed to nspawn with `--network-interface`), a static address from IPAM written into the
 * container's systemd-networkd config, and optional NAT to the host's uplink.
 *
 * Isolation: every container port on the bridge is `isolated`, so containers cannot reach
 * each other through the bridge, and forwarding from the bridge back into it is dropped, so
 * they cannot reach each other through the host either. This isolates all containers,
 * including two of the same user. The host itself accepts only DHCP and DNS from the bridge
 * (plus what the admin lists in `nspawn.hostAccess`); with NAT, containers reach the outside.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HostFailureError, InvalidInputError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { runChecked, runOk } from "../../host/commands.js";

/** A parsed IPv4 subnet. */
export interface Subnet {
  readonly cidr: string;
  readonly prefix: number;
  /** The bridge's address: the first host address. */
  readonly gateway: string;
}

function toNumber(address: string): number {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new InvalidInputError([{ path: "nspawn.subnet", message: `"${address}" is not an IPv4 address.` }]);
  }
  return parts.reduce((total, part) => total * 256 + part, 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Parses `a.b.c.d/n` into the subnet and its gateway. */
export function parseSubnet(cidr: string): Subnet {
  const [address = "", prefixText = ""] = cidr.split("/");
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new InvalidInputError([
      { path: "nspawn.subnet", message: `"${cidr}" needs a prefix length from /8 to /30.` },
    ]);
  }
  const size = 2 ** (32 - prefix);
  const network = Math.floor(toNumber(address) / size) * size;
  return { cidr: `${toAddress(network)}/${prefix}`, prefix, gateway: toAddress(network + 1) };
}

/** The systemd-networkd file that gives the container its address. */
export function networkdConfig(options: {
  readonly interfaceName: string;
  readonly address: string;
  readonly subnet: Subnet;
}): string {
  return [
    "# Written by voxnix before every boot.",
    "[Match]",
    `Name=${options.interfaceName}`,
    "",
    "[Network]",
    `Address=${options.address}/${options.subnet.prefix}`,
    `Gateway=${options.subnet.gateway}`,
    "LinkLocalAddressing=no",
    "IPv6AcceptRA=no",
    "",
  ].join("\n");
}

/** What the host itself accepts from containers besides DHCP and DNS: `icmp`, `tcp/<port>` or `udp/<port>`. */
export type HostAccessRule = string;

/** The input chain of a bridge: every packet from a container to the host goes through it. */
export function inputChain(bridge: string): string {
  return `VOXNIX-IN-${bridge}`;
}

/**
 * The rules of the bridge's input chain, in order: replies to connections the host opened,
 * DHCP and DNS, whatever the admin opened, then drop. Containers reach the outside through
 * FORWARD (NAT), never a host service listening on 0.0.0.0 through the gateway address.
 */
export function inputRules(hostAccess: readonly HostAccessRule[]): string[][] {
  const opened = hostAccess.map((rule) => {
    if (rule === "icmp") return ["-p", "icmp", "--icmp-type", "echo-request", "-j", "ACCEPT"];
    const match = /^(tcp|udp)\/(\d{1,5})$/.exec(rule);
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new InvalidInputError([
        { path: "nspawn.hostAccess", message: `"${rule}" is not icmp, tcp/<port> or udp/<port>.` },
      ]);
    }
    return ["-p", match[1] ?? "tcp", "--dport", match[2] ?? "0", "-j", "ACCEPT"];
  });
  return [
    ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ["-p", "udp", "--dport", "67", "-j", "ACCEPT"],
    ["-p", "udp", "--dport", "53", "-j", "ACCEPT"],
    ["-p", "tcp", "--dport", "53", "-j", "ACCEPT"],
    ...opened,
    // The last rule carries a digest of the whole chain, so one check tells whether it is current.
    [
      "-m",
      "comment",
      "--comment",
      `voxnix:${createHash("sha256").update(JSON.stringify(opened)).digest("hex").slice(0, 12)}`,
      "-j",
      "DROP",
    ],
  ];
}

async function ensureInputPolicy(
  runner: CommandRunner,
  bridge: string,
  hostAccess: readonly HostAccessRule[],
): Promise<void> {
  const chain = inputChain(bridge);
  const rules = inputRules(hostAccess);
  const last = rules.at(-1) ?? [];
  // Current already (one check, since the last rule carries a digest of the chain)? Else the
  // chain is rebuilt whole, so a changed `hostAccess` takes effect and nothing stale stays.
  if (!(await runOk(runner, "iptables", ["-w", "-C", chain, ...last]))) {
    if (!(await runOk(runner, "iptables", ["-w", "-N", chain])))
      await runChecked(runner, "iptables", ["-w", "-F", chain], { what: `reset ${chain}` });
    for (const rule of rules)
      await runChecked(runner, "iptables", ["-w", "-A", chain, ...rule], { what: `add a rule to ${chain}` });
  }
  if (!(await runOk(runner, "iptables", ["-w", "-C", "INPUT", "-i", bridge, "-j", chain]))) {
    await runChecked(runner, "iptables", ["-w", "-I", "INPUT", "1", "-i", bridge, "-j", chain], {
      what: `send ${bridge}'s input through ${chain}`,
    });
  }
  // No IPv6 on the bridge: a container could otherwise reach host services over link-local.
  disableIpv6(bridge);
}

/** Turns IPv6 off on an interface (no address, so nothing listens there); absent IPv6 is fine. */
export function disableIpv6(name: string): void {
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, "1\n");
  } catch {
    // IPv6 disabled on this host, or the interface vanished
  }
}

/** Creates the bridge with the gateway address (idempotent), the host's input policy, and NAT when asked. */
export async function ensureBridge(
  runner: CommandRunner,
  options: {
    readonly bridge: string;
    readonly subnet: Subnet;
    readonly nat: boolean;
    readonly hostAccess?: readonly HostAccessRule[];
  },
): Promise<void> {
  const { bridge, subnet } = options;
  // Checked once per process while the bridge exists: a long-running voxnix saves ~60 ms a boot.
  if (readyBridges.has(bridge) && existsSync(`/sys/class/net/${bridge}`)) return;
  if (!existsSync(`/sys/class/net/${bridge}`)) {
    const added = await runner.run("ip", ["link", "add", "name", bridge, "type", "bridge"], { timeoutMs: 10_000 });
    if (added.exitCode !== 0 && !existsSync(`/sys/class/net/${bridge}`)) {
      throw new HostFailureError(`Could not create the bridge ${bridge}.`, added.stderr.trim());
    }
  }
  const shown = await runChecked(runner, "ip", ["-4", "-o", "addr", "show", "dev", bridge], {
    what: `read the address of ${bridge}`,
  });
  if (!shown.stdout.includes(` ${subnet.gateway}/`)) {
    await runner.run("ip", ["addr", "add", `${subnet.gateway}/${subnet.prefix}`, "dev", bridge], { timeoutMs: 10_000 });
  }
  await runChecked(runner, "ip", ["link", "set", "dev", bridge, "up"], { what: `bring up ${bridge}` });
  // Containers on one bridge must not reach each other through the host's routing either.
  await ensureRule(runner, "filter", "FORWARD", ["-i", bridge, "-o", bridge, "-j", "DROP"]);
  await ensureInputPolicy(runner, bridge, options.hostAccess ?? []);
  if (options.nat) {
    writeFileSync("/proc/sys/net/ipv4/ip_forward", "1\n");
    await ensureRule(runner, "nat", "POSTROUTING", ["-s", subnet.cidr, "!", "-d", subnet.cidr, "-j", "MASQUERADE"]);
    await ensureRule(runner, "filter", "FORWARD", ["-i", bridge, "!", "-o", bridge, "-j", "ACCEPT"]);
    await ensureRule(runner, "filter", "FORWARD", [
      "-o",
      bridge,
      "-m",
      "conntrack",
      "--ctstate",
      "RELATED,ESTABLISHED",
      "-j",
      "ACCEPT",
    ]);
  }
  readyBridges.add(bridge);
}

const readyBridges = new Set<string>();

/** The iptables rules `ensureBridge` adds, for removal. */
export function bridgeRules(options: {
  readonly bridge: string;
  readonly subnet: Subnet;
}): { readonly table: string; readonly chain: string; readonly rule: readonly string[] }[] {
  const { bridge, subnet } = options;
  return [
    { table: "filter", chain: "FORWARD", rule: ["-i", bridge, "-o", bridge, "-j", "DROP"] },
    { table: "nat", chain: "POSTROUTING", rule: ["-s", subnet.cidr, "!", "-d", subnet.cidr, "-j", "MASQUERADE"] },
    { table: "filter", chain: "FORWARD", rule: ["-i", bridge, "!", "-o", bridge, "-j", "ACCEPT"] },
    {
      table: "filter",
      chain: "FORWARD",
      rule: ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
    },
  ];
}

async function ensureRule(runner: CommandRunner, table: string, chain: string, rule: readonly string[]): Promise<void> {
  if (await runOk(runner, "iptables", ["-w", "-t", table, "-C", chain, ...rule])) return;
  const position = rule.includes("DROP") ? ["-I", chain, "1"] : ["-A", chain];
  await runChecked(runner, "iptables", ["-w", "-t", table, ...position, ...rule], {
    what: `add a ${table} ${chain} rule`,
  });
}

/** Removes the bridge and its rules (tests and uninstall). */
export async function removeBridge(
  runner: CommandRunner,
  options: { readonly bridge: string; readonly subnet: Subnet },
): Promise<void> {
  readyBridges.delete(options.bridge);
  for (const { table, chain, rule } of bridgeRules(options)) {
    while (await runOk(runner, "iptables", ["-w", "-t", table, "-D", chain, ...rule]));
  }
  const chain = inputChain(options.bridge);
  while (await runOk(runner, "iptables", ["-w", "-D", "INPUT", "-i", options.bridge, "-j", chain]));
  if (await runOk(runner, "iptables", ["-w", "-F", chain])) await runOk(runner, "iptables", ["-w", "-X", chain]);
  if (existsSync(`/sys/class/net/${options.bridge}`))
    await runner.run("ip", ["link", "delete", options.bridge], { timeoutMs: 10_000 });
}

/**
 * Creates a fresh veth pair with the host end on the bridge (isolated, up) and marks the
 * container end as initialised for nspawn: nspawn refuses interfaces udev has not processed,
 * and on hosts without a running udev nothing ever processes them, so voxnix writes the udev
 * database entry itself.
 */
export async function createVeth(
  runner: CommandRunner,
  options: { readonly host: string; readonly container: string; readonly bridge: string },
): Promise<string> {
  await deleteVeth(runner, options);
  await runChecked(runner, "ip", ["link", "add", options.host, "type", "veth", "peer", "name", options.container], {
    what: "create the container's network interface",
  });
  try {
    await runChecked(runner, "ip", ["link", "set", "dev", options.host, "master", options.bridge], {
      what: `attach ${options.host} to ${options.bridge}`,
    });
    await runChecked(runner, "ip", ["link", "set", "dev", options.host, "type", "bridge_slave", "isolated", "on"], {
      what: `isolate ${options.host}`,
    });
    await runChecked(runner, "ip", ["link", "set", "dev", options.host, "up"], { what: `bring up ${options.host}` });
    disableIpv6(options.host);
    const index = readFileSync(`/sys/class/net/${options.container}/ifindex`, "utf8").trim();
    mkdirSync("/run/udev/data", { recursive: true });
    writeFileSync(path.join("/run/udev/data", `n${index}`), "I:1\n");
    return index;
  } catch (error) {
    await deleteVeth(runner, options);
    throw error;
  }
}

/** Deletes the pair (either end removes both); a missing pair succeeds. */
export async function deleteVeth(
  runner: CommandRunner,
  options: { readonly host: string; readonly container: string; readonly udevIndex?: string },
): Promise<void> {
  // The container end may be gone already (killed with its namespace), so its entry is removed by the recorded index too.
  if (options.udevIndex !== undefined && /^\d+$/.test(options.udevIndex))
    rmSync(path.join("/run/udev/data", `n${options.udevIndex}`), { force: true });
  const present = [options.host, options.container].filter((name) => existsSync(`/sys/class/net/${name}`));
  // Deleting one end removes the other, so both udev entries are cleared first.
  for (const name of present) {
    try {
      const index = readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim();
      rmSync(path.join("/run/udev/data", `n${index}`), { force: true });
    } catch {
      // the interface vanished meanwhile
    }
  }
  for (const name of present) {
    if (existsSync(`/sys/class/net/${name}`)) await runner.run("ip", ["link", "delete", name], { timeoutMs: 10_000 });
  }
}
