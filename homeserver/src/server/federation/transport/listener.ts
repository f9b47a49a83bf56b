// The federation listener: the same Router/HTTP machinery as the client listener, over HTTPS when
// federation.tls is configured (else plain HTTP for a TLS-terminating proxy in front).
// https://spec.matrix.org/v1.16/server-server-api/#tls
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { isIPv6, type AddressInfo } from "node:net";
import type { FederationConfig } from "../../../config/config-types.ts";
import { createHttpServer, drainRequests } from "../../http/http-server.ts";
import type { ConnectionOptions } from "../../http/connection-guard.ts";
import type { Router } from "../../http/router.ts";
import type { Logger } from "../../log.ts";

export interface FederationListener {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  /** e.g. https://127.0.0.1:8448 */
  url: string;
  stop(): Promise<void>;
}

export interface FederationListenerOptions {
  router: Router;
  log: Logger;
  config: Pick<FederationConfig, "listener" | "tls">;
  /** Max JSON body (limits.max_json_body_bytes). */
  maxJsonBody: number;
  /** Connection caps and timeouts (config.connections). */
  connections?: ConnectionOptions;
}

export async function startFederationListener(opts: FederationListenerOptions): Promise<FederationListener> {
  const { listener, tls } = opts.config;
  const pem = tls && { cert: readFileSync(tls.certPath, "utf8"), key: readFileSync(tls.keyPath, "utf8") };
  const server = createHttpServer({
    router: opts.router, log: opts.log, maxJsonBody: opts.maxJsonBody, name: "federation",
    ...(pem ? { tls: pem } : {}), ...(opts.connections ? { connections: opts.connections } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listener.port, listener.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = isIPv6(listener.host) ? `[${listener.host}]` : listener.host;
  const url = `${pem ? "https" : "http"}://${host}:${port}`;
  opts.log.info("federation listening", { url });
  return {
    server, port, url,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await drainRequests(server);
    },
  };
}
