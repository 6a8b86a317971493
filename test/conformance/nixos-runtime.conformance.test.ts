/**
 * The nixos runtime passes the runtime conformance suite over the fake host programs
 * (`test/fakes/bin/nixos`: extra-container, nixos-container, machinectl, systemctl), run
 * through the real command runner on a throw-away host root.
 */
import { runtimeConformance } from "./runtime.js";
import { FakeHost, spec } from "../contract/nixos/harness.js";

runtimeConformance({
  label: "nixos (fake host programs)",
  async setup() {
    const host = new FakeHost();
    return {
      runtime: host.backend(),
      spec: (name) => spec(name, ["git"]),
      host: () => ({ ownerLabel: "local:conformance" }),
      cleanup: async () => host.dispose(),
    };
  },
});
