/**
 * A free TCP port on 127.0.0.1 for a VM's forwarded SSH port. The kernel picks it; QEMU binds
 * it moments later, so a caller must be ready to pick again when QEMU finds it taken.
 *
 * @module
 */
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (the kernel picks it; QEMU binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
