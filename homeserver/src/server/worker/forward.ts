// A client reader forwards every request it does not serve itself to the main process: method,
// path and query, headers and body streamed through, main's status, headers and body streamed
// back. So a client pointed at a reader works fully. X-Forwarded-For carries the agent's address to
// main (which reads it with listeners.client.trust_forwarded_for, as behind a reverse proxy).
import { Agent, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "../log.ts";

/** Hop-by-hop headers (RFC 9110 §7.6.1): never forwarded. */
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"]);

export interface Forwarder {
  forward(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

export function createForwarder(opts: { mainUrl: string; log: Logger; trustForwardedFor: boolean }): Forwarder {
  const target = new URL(opts.mainUrl);
  if (target.protocol !== "http:") throw new Error("workers.main_url must be an http:// URL (main's listener on the internal network)");
  // Long-polls are answered here, so forwarded requests are short: 64 connections to main at most
  // (more wait in the agent), well under main's per-address cap (connections.max_per_address).
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const basePath = target.pathname.replace(/\/$/, "");
  return {
    forward(req, res) {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
      // Main takes the last X-Forwarded-For entry (listeners.client.trust_forwarded_for): behind a
      // trusted proxy that entry is already the agent's address, so it goes through unchanged;
      // otherwise the reader's own peer is the agent.
      const prior = req.headers["x-forwarded-for"];
      if (!(opts.trustForwardedFor && typeof prior === "string" && prior !== "")) headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
      const out = request({
        agent, protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method,
        path: basePath + (req.url ?? "/"), headers,
      }, (up) => {
        const back: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) back[k] = v;
        res.writeHead(up.statusCode ?? 502, back);
        up.pipe(res);
        up.on("error", () => res.destroy());
      });
      out.on("error", (e) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        opts.log.warn("main process unreachable", { error: e.message, path: (req.url ?? "").split("?")[0] });
        res.writeHead(502, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" })
          .end(JSON.stringify({ errcode: "M_UNKNOWN", error: "Le serveur principal est injoignable (main process unreachable)" }));
      });
      // the client went away: stop the request to main too
      res.on("close", () => {
        if (!res.writableFinished) out.destroy();
      });
      req.pipe(out);
    },
    close() {
      agent.destroy();
    },
  };
}
