/**
 * `voxnix ssh-gateway`: runs only the SSH gateway (docs/ssh.md) until SIGINT or SIGTERM;
 * `voxnix serve` runs it too when `ssh.enabled` is true.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";

/** Registers `voxnix ssh-gateway`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("ssh-gateway")
    .description(
      "Serve the SSH gateway (ssh -p PORT WORKLOAD@host, key authentication; see docs/ssh.md) until SIGINT or SIGTERM",
    )
    .action(async () => {
      const [{ runServices }, { startSshService }] = await Promise.all([
        import("../services/service.js"),
        import("../services/ssh-service.js"),
      ]);
      const app = await context.app();
      await runServices(context, "voxnix ssh-gateway", [() => startSshService(app, context.io)]);
    });
};
