/**
 * `openForward`: SSH local port forwarding (`ssh -L 8080:localhost:3000 dev@…`) reaches a
 * port of the workload and nothing else. The client's target is only a *name* for the
 * workload (`localhost`, its own name or one of its addresses); the address actually
 * connected to is always the workload's own, read from the host. The host, other tenants'
 * workloads and the internet are refused, whatever the client writes. Audited from the
 * first byte to `close` (never the data). Bytes carried either way count as activity for the
 * idle timer (`traffic`), so a workload used only through a forwarded port is not stopped.
 * A workload without an address of its own on the host (a VM on user-mode networking, whose
 * only host address is a forwarded loopback port) is reached through its runtime's `openPort`,
 * which connects from inside it; a loopback address is never connected to.
 * A loopback target reaches the workload's *own* loopback through the same `openPort`, so
 * services bound to 127.0.0.1 inside answer too (VS Code Remote-SSH's server listens there and
 * is reached through `ssh -D`).
 *
 * @module
 */
import { ConflictError, InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { Forward, ForwardRequest } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import { SESSION_MAX_MS } from "./open-session.js";

/** Longest a forwarded connection through a runtime may stay open (a host process needs a deadline), as for a session. */
export const FORWARD_MAX_MS = SESSION_MAX_MS;

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Resolves the forward to the workload's own address, or refuses it. */
export function openForward(services: CoreServices, actor: Actor, request: ForwardRequest): Promise<Forward> {
  const { context } = services;
  const args: Record<string, unknown> = { name: request?.name, port: request?.port, via: request?.via };
  return runOperation(services, {
    operation: "openForward",
    actor,
    args,
    validate: () => {
      const name = validateName(request?.name);
      const host = typeof request?.host === "string" ? request.host.trim().toLowerCase() : "";
      const port = request?.port;
      if (host === "" || host.length > 255)
        throw new InvalidInputError([{ path: "host", message: "Name the host to forward to." }]);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new InvalidInputError([{ path: "port", message: "The port must be between 1 and 65535." }]);
      return { name, host, port };
    },
    target: (input) => input.name,
    run: async ({ input, workload, detach }) => {
      const runtime = runtimeForWorkload(context.deps.runtimes, workload!);
      const live = await runtime.show(workload!.spec.name);
      if (!live || live.state !== "running")
        throw new ConflictError("wrong-state", `"${input.name}" is not running; start it first.`);
      // A loopback address is the host's own (a VM's forwarded SSH port), never the workload's:
      // connecting there would reach the host's services, so it is never a forward's target.
      const own = live.addresses.filter((address) => IPV4.test(address) && !address.startsWith("127."));
      const address = own[0];
      const openPort = runtime.openPort?.bind(runtime);
      if (address === undefined && openPort === undefined)
        throw new ConflictError("wrong-state", `"${input.name}" has no network address to forward to.`);
      const allowed = LOOPBACK_NAMES.has(input.host) || input.host === input.name || own.includes(input.host);
      if (!allowed) {
        throw new InvalidInputError([
          {
            path: "host",
            message: `Forwarding reaches only "${input.name}" itself: use localhost${address === undefined ? "" : ` (or ${address})`} as the target, not ${JSON.stringify(input.host).slice(0, 80)}.`,
          },
        ]);
      }
      services.activity.record(input.name, "port forward");
      const settle = detach();
      let closed = false;
      const name = workload!.spec.name;
      // `localhost` means the workload's own loopback, where editors' remote servers listen;
      // a workload without an address of its own is reached only that way.
      const fromInside =
        openPort !== undefined && (address === undefined || LOOPBACK_NAMES.has(input.host)) ? openPort : undefined;
      const family = input.host === "::1" || input.host === "[::1]" ? 6 : 4;
      return {
        // From inside through the runtime, or the workload's own address.
        ...(fromInside !== undefined
          ? { open: () => fromInside(name, input.port, { family, timeoutMs: FORWARD_MAX_MS }) }
          : { address: address! }),
        port: input.port,
        // Traffic through the forward is someone using the workload (code-server, a web app, a database).
        traffic: () => services.activity.input(input.name, "port forward"),
        close: () => {
          if (closed) return;
          closed = true;
          settle(undefined);
        },
      };
    },
  });
}
