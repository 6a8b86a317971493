/**
 * Network values an admin configures (bridge names, the container subnet), checked when the
 * configuration loads, so a bad value is refused at start-up rather than at the first create.
 *
 * @module
 */

/** Linux interface names: at most 15 bytes (IFNAMSIZ − 1), no `/`, no whitespace, not `.` or `..`. */
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** Why `name` cannot be a network interface name, or undefined when it can. */
export function interfaceNameProblem(name: string): string | undefined {
  if (!INTERFACE_NAME.test(name) || name === "." || name === "..") {
    return `"${name}" is not an interface name: use 1 to 15 characters from A-Z a-z 0-9 _ . - (not "." or "..").`;
  }
  return undefined;
}

// RFC 1918 ranges as [network, prefix].
const PRIVATE_RANGES: readonly (readonly [number, number])[] = [
  [ipv4ToNumber("10.0.0.0")!, 8],
  [ipv4ToNumber("172.16.0.0")!, 12],
  [ipv4ToNumber("192.168.0.0")!, 16],
];

/**
 * Why `cidr` cannot be the container subnet, or undefined when it can: it must be an IPv4
 * `a.b.c.d/n` inside a private (RFC 1918) range, with `n` from 8 to 30 so that there is room
 * for the bridge's address and at least one container.
 */
export function privateSubnetProblem(cidr: string): string | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  const address = match ? ipv4ToNumber(match[1]!) : undefined;
  if (!match || address === undefined) return `"${cidr}" is not an IPv4 subnet; write it like 10.231.0.0/24.`;
  const prefix = Number(match[2]);
  if (prefix < 8 || prefix > 30)
    return `"${cidr}" needs a prefix length from /8 to /30 (room for the bridge and containers).`;
  const network = mask(address, prefix);
  const inPrivate = PRIVATE_RANGES.some(
    ([range, rangePrefix]) => prefix >= rangePrefix && mask(network, rangePrefix) === range,
  );
  if (!inPrivate)
    return `"${cidr}" is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.`;
  return undefined;
}

/** `a.b.c.d` as an unsigned 32-bit number, or undefined when it is not a dotted IPv4 address. */
export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function mask(address: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) * size;
}
