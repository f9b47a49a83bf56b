// Connection caps and timeouts of a listener: a connection over a cap is destroyed as soon as it is
// accepted (before TLS or HTTP parsing spends anything on it), and connections that never send a
// complete request are closed by the header/request timeouts, so half-open connections cannot pile
// up until the process runs out of file descriptors.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionsConfig } from "../../config/config-types.ts";
import type { Logger } from "../log.ts";
import { addressKey, ConnectionCounter, RefusalLogLimiter, type ConnectionCaps } from "./connection-limits.ts";

export interface ConnectionOptions extends ConnectionCaps {
  /** A connection must send its complete request headers within this time (also the TLS handshake). */
  headersTimeoutMs: number;
  /** A connection must send its complete request (body included) within this time; 0: no limit. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
}

/** Defaults when a caller gives none (config.connections has the same values). */
export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  maxPerListener: 2000, maxPerAddress: 200, headersTimeoutMs: 20_000, requestTimeoutMs: 600_000, keepAliveTimeoutMs: 65_000,
};

const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Node checks the header and request timeouts of open connections on a timer; a tenth of the
 * headers timeout (between 10 ms and 5 s) closes a stalled connection close to its deadline.
 */
export function checkingIntervalMs(headersTimeoutMs: number): number {
  return Math.min(5_000, Math.max(10, Math.floor(headersTimeoutMs / 10)));
}

/** Server options for node:http / node:https createServer. */
export function timeoutServerOptions(o: ConnectionOptions): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number; keepAliveTimeout: number } {
  return {
    headersTimeout: o.headersTimeoutMs, requestTimeout: o.requestTimeoutMs, keepAliveTimeout: o.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(o.headersTimeoutMs),
  };
}

/** Installs the caps on `server`; `listener` names it in the log ("client", "federation"). */
export function guardConnections(server: Server, o: ConnectionOptions, log: Logger, listener: string): ConnectionCounter {
  const counter = new ConnectionCounter(o);
  const refusals = new RefusalLogLimiter(REFUSAL_LOG_INTERVAL_MS);
  // prepended: runs before the HTTP/TLS machinery attaches anything to a socket we refuse
  server.prependListener("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const key = addressKey(address);
    const verdict = counter.admit(key);
    if (verdict === "ok") {
      socket.once("close", () => counter.release(key));
      return;
    }
    socket.destroy();
    const count = refusals.refused(performance.now());
    if (count !== undefined) {
      log.warn("connection refused: too many open connections", {
        listener, reason: verdict, address, refused: count, open: counter.open, open_from_address: counter.openFrom(key),
        limit: verdict === "listener_full" ? o.maxPerListener : o.maxPerAddress,
      });
    }
  });
  return counter;
}

/** The options of one listener from config.connections; `perAddressCap` false drops the per-address cap. */
export function listenerConnectionOptions(c: ConnectionsConfig, perAddressCap: boolean): ConnectionOptions {
  return { ...c, maxPerAddress: perAddressCap ? c.maxPerAddress : undefined };
}
