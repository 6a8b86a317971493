/**
 * A free TCP port on 127.0.0.1, for a VM's forwarded SSH port (QEMU, microvm.nix) or a test's
 * server. The kernel picks it; the program binds it moments later, so a caller must be ready
 * to pick again when the port is taken by then.
 *
 * @module
 */
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (the kernel picks it; the caller's program binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
