/**
 * The fake runtime passes the runtime conformance suite, so tests of the core that use it
 * rely on the port's documented behaviour and nothing the fake invented.
 */
import { runtimeConformance } from "./runtime.js";
import { FakeRuntime } from "../fakes/fake-runtime.js";
import { containerSpec } from "./specs.js";

runtimeConformance({
  label: "fake",
  async setup() {
    return {
      runtime: new FakeRuntime(),
      spec: (name) => containerSpec(name),
      host: () => ({ ownerLabel: "local:conformance" }),
      cleanup: async () => undefined,
    };
  },
});
