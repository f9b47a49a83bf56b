// Binds an HTTP server and resolves once it listens (rejects on a bind error such as EADDRINUSE).
import type { Server } from "node:http";

export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
