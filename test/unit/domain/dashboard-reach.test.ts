/**
 * The start-up line naming the dashboard: the page (`/web/`), and who can open it. Without
 * `http.publicUrl` on loopback it says "this machine only" with the tunnel and the setting;
 * on a wildcard it says others use the machine's addresses; a published URL is just named.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dashboardLines, dashboardReach } from "../../../src/domain/dashboard-reach.js";

describe("dashboard reach", () => {
  it("classifies http.listen and http.publicUrl", () => {
    assert.equal(dashboardReach({ listen: "127.0.0.1:8710" }), "this-machine");
    assert.equal(dashboardReach({ listen: "127.0.0.53:8710" }), "this-machine");
    assert.equal(dashboardReach({ listen: "localhost:8710" }), "this-machine");
    assert.equal(dashboardReach({ listen: "[::1]:8710" }), "this-machine");
    assert.equal(dashboardReach({ listen: "0.0.0.0:8710" }), "every-interface");
    assert.equal(dashboardReach({ listen: "[::]:8710" }), "every-interface");
    assert.equal(dashboardReach({ listen: "192.168.1.5:8710" }), "address");
    assert.equal(dashboardReach({ listen: "127.0.0.1:8710", publicUrl: "https://voxnix.example.org" }), "published");
  });

  it("on loopback without publicUrl: the page's address, 'this machine only', the tunnel and the setting", () => {
    assert.deepEqual(dashboardLines({ listen: "127.0.0.1:8710" }, "box"), [
      "The dashboard is at http://127.0.0.1:8710/web/ (on this machine only: http.listen is 127.0.0.1:8710).",
      "From another computer: ssh -L 8710:localhost:8710 box, then open the same address there; to share it, set http.publicUrl (docs/web.md).",
    ]);
  });

  it("a published URL is named as it is, with the page's path", () => {
    assert.deepEqual(dashboardLines({ listen: "127.0.0.1:8710", publicUrl: "https://voxnix.example.org/" }, "box"), [
      "The dashboard is at https://voxnix.example.org/web/",
    ]);
    assert.deepEqual(dashboardLines({ listen: "192.168.1.5:8443", tls: { certFile: "c", keyFile: "k" } }, "box"), [
      "The dashboard is at https://192.168.1.5:8443/web/",
    ]);
  });

  it("on every interface: loopback here, the machine's addresses from elsewhere, and publicUrl for links", () => {
    const lines = dashboardLines({ listen: "0.0.0.0:8710" }, "box");
    assert.equal(
      lines[0],
      "The dashboard is at http://127.0.0.1:8710/web/ on this machine, and on port 8710 of its network addresses from others.",
    );
    assert.match(lines[1]!, /until http\.publicUrl says how others reach it/);
  });
});
