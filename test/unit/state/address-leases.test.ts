/** IPv4 leases: lowest free host address, never network/.1/broadcast, stable, released. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createAddressLeases, parseSubnet } from "../../../src/state/address-leases.js";
import { openDatabase } from "../../../src/state/database.js";

void describe("address leases", () => {
  void it("allocates the lowest free host address, skipping .0 and .1", () => {
    const leases = createAddressLeases(openDatabase(":memory:"));
    assert.equal(leases.allocate("a", "10.231.0.0/24"), "10.231.0.2");
    assert.equal(leases.allocate("b", "10.231.0.0/24"), "10.231.0.3");
    assert.equal(leases.allocate("a", "10.231.0.0/24"), "10.231.0.2", "an existing lease is returned again");
    leases.release("a");
    assert.equal(leases.get("a"), undefined);
    assert.equal(leases.allocate("c", "10.231.0.0/24"), "10.231.0.2", "a released address is reused");
    assert.deepEqual(
      [...leases.all()],
      [
        ["b", "10.231.0.3"],
        ["c", "10.231.0.2"],
      ],
    );
    leases.release("missing");
  });

  void it("never hands out the broadcast address and fails clearly when full", () => {
    const leases = createAddressLeases(openDatabase(":memory:"));
    assert.equal(leases.allocate("a", "192.168.5.0/30"), "192.168.5.2");
    assert.throws(() => leases.allocate("b", "192.168.5.0/30"), /No free address/);
  });

  void it("clears host bits and refuses malformed subnets", () => {
    assert.deepEqual(parseSubnet("10.0.0.77/24"), { network: parseSubnet("10.0.0.0/24").network, prefix: 24 });
    for (const bad of ["10.0.0.0", "10.0.0.256/24", "10.0.0.0/31", "fd00::/64", "10.0.0.0/24\n"]) {
      assert.throws(() => parseSubnet(bad), /not an IPv4 subnet/, bad);
    }
  });

  void it("two handles over one database never collide", () => {
    const db = openDatabase(":memory:");
    const first = createAddressLeases(db);
    const second = createAddressLeases(db);
    assert.notEqual(first.allocate("a", "10.1.0.0/24"), second.allocate("b", "10.1.0.0/24"));
  });
});
