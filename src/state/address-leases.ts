/**
 * IPv4 address leases for backends that run their own bridge (nspawn), stored in the
 * database so addresses survive restarts and two processes never hand out the same one.
 *
 * @module
 */
import { HostFailureError, InvalidInputError } from "../domain/errors.js";
import type { AddressLeases } from "../ports/address-leases.js";
import type { VoxnixDatabase } from "./database.js";

/** A parsed IPv4 CIDR: network address and prefix length. */
interface Subnet {
  readonly network: number;
  readonly prefix: number;
}

/** Implements the `AddressLeases` port over the `address_leases` table. */
export function createAddressLeases(db: VoxnixDatabase): AddressLeases {
  const select = db.sqlite.prepare<[string], { address: string }>(
    "SELECT address FROM address_leases WHERE workload = ?",
  );
  const all = db.sqlite.prepare<[], { workload: string; address: string }>(
    "SELECT workload, address FROM address_leases ORDER BY workload",
  );
  const insert = db.sqlite.prepare<[string, string]>("INSERT INTO address_leases (workload, address) VALUES (?, ?)");
  const remove = db.sqlite.prepare<[string]>("DELETE FROM address_leases WHERE workload = ?");
  return {
    allocate: (workload, subnet) => {
      const parsed = parseSubnet(subnet);
      // One immediate transaction: read the taken addresses and insert ours atomically.
      return db.transaction(() => {
        const existing = select.get(workload);
        if (existing) return existing.address;
        const taken = new Set(all.all().map((row) => row.address));
        const size = 2 ** (32 - parsed.prefix);
        // Skip the network address, .1 (the bridge/gateway) and the broadcast address.
        for (let offset = 2; offset < size - 1; offset += 1) {
          const address = formatAddress((parsed.network + offset) >>> 0);
          if (!taken.has(address)) {
            insert.run(workload, address);
            return address;
          }
        }
        throw new HostFailureError(`No free address is left in ${subnet}; destroy a workload or widen the subnet.`);
      });
    },
    get: (workload) => select.get(workload)?.address,
    release: (workload) => void remove.run(workload),
    all: () => new Map(all.all().map((row) => [row.workload, row.address])),
  };
}

/** Parses "10.231.0.0/24"; host bits are cleared. Prefixes longer than /30 leave no host addresses. */
export function parseSubnet(cidr: string): Subnet {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((octet) => octet > 255) || prefix < 8 || prefix > 30) {
    throw new InvalidInputError([
      { path: "subnet", message: `"${cidr}" is not an IPv4 subnet like 10.231.0.0/24 (prefix /8 to /30).` },
    ]);
  }
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (value & mask) >>> 0, prefix };
}

function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}
