/**
 * The firewall that keeps guests with `vm.outbound: true` off this host. User-mode networking
 * (slirp) opens a guest's connections from QEMU's own process, so a guest that connects to
 * its gateway 10.0.2.2 (or to any of the host's addresses) reaches services listening on the
 * host, other VMs' forwarded SSH ports among them. `restrict=on` stops that but also stops
 * everything else. With outbound allowed, these iptables rules match QEMU's user
 * (`vm.runAs`) instead: new connections it opens to the host itself (all traffic to a local
 * address is routed over `lo`), to the containers' subnet and to link-local addresses (a
 * cloud's metadata service, which hands out the host's credentials) are refused, except DNS
 * on the host (slirp forwards the guest's DNS to the host's resolver, as containers may use
 * it). Replies on connections made *to* QEMU (its forwarded SSH port) are established, so
 * they pass.
 *
 * @module
 */
import type { CommandRunner } from "../../ports/command-runner.js";
import { runChecked, runOk } from "../../host/commands.js";

/** The chain QEMU's outgoing connections pass through. */
export const OUTBOUND_CHAIN = "VOXNIX-VM-OUT";

/** The rules of the chain, in order, for networks the guests must not reach (CIDR). */
export function outboundRules(blockedNetworks: readonly string[]): string[][] {
  const reject = ["-j", "REJECT"];
  return [
    ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"],
    ["-o", "lo", "-p", "udp", "--dport", "53", "-j", "RETURN"],
    ["-o", "lo", "-p", "tcp", "--dport", "53", "-j", "RETURN"],
    ["-o", "lo", ...reject],
    ["-d", "169.254.0.0/16", ...reject],
    ...blockedNetworks.map((network) => ["-d", network, ...reject]),
  ];
}

/** The OUTPUT rule that sends `user`'s traffic through the chain. */
export function outboundJump(user: string): string[] {
  return ["-m", "owner", "--uid-owner", user, "-j", OUTBOUND_CHAIN];
}

/**
 * Installs the chain and the jump for `user` unless both are in place (idempotent: every
 * start calls it). The chain is rebuilt whole when its last rule is missing, so a changed
 * list of networks replaces the old one.
 */
export async function ensureOutboundFilter(
  runner: CommandRunner,
  user: string,
  blockedNetworks: readonly string[],
): Promise<void> {
  const rules = outboundRules(blockedNetworks);
  const last = rules[rules.length - 1]!;
  if (!(await runOk(runner, "iptables", ["-w", "-C", OUTBOUND_CHAIN, ...last]))) {
    if (!(await runOk(runner, "iptables", ["-w", "-N", OUTBOUND_CHAIN])))
      await runChecked(runner, "iptables", ["-w", "-F", OUTBOUND_CHAIN], { what: `reset ${OUTBOUND_CHAIN}` });
    for (const rule of rules)
      await runChecked(runner, "iptables", ["-w", "-A", OUTBOUND_CHAIN, ...rule], {
        what: `add a rule to ${OUTBOUND_CHAIN}`,
      });
  }
  const jump = outboundJump(user);
  if (!(await runOk(runner, "iptables", ["-w", "-C", "OUTPUT", ...jump]))) {
    await runChecked(runner, "iptables", ["-w", "-I", "OUTPUT", "1", ...jump], {
      what: `send ${user}'s connections through ${OUTBOUND_CHAIN}`,
    });
  }
}
