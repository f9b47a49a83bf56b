// A small static server for client/dist plus a config.json made from the running councils. The
// client is another origin than the homeservers; they answer CORS for every client API route.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";

export interface ServedCouncil { id: string; label: string; serverName: string; homeserverUrl: string }

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
};

/** `extra`: more top-level sections, e.g. `widgets` (widgets/scripts/serve-widgets.ts). */
export function clientConfigJson(councils: readonly ServedCouncil[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ councils: councils.map((c) => ({ id: c.id, label: c.label, server_name: c.serverName, homeserver_url: c.homeserverUrl })), ...extra }, null, 2);
}

export interface ServedClient { url: string; server: Server; close(): Promise<void> }

export function serveClient(opts: { distDir: string; councils: readonly ServedCouncil[]; host: string; port: number; extraConfig?: Record<string, unknown> }): Promise<ServedClient> {
  const config = clientConfigJson(opts.councils, opts.extraConfig);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const send = (status: number, type: string, body: string | Buffer, cache = "no-cache"): void => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": cache, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" });
      res.end(body);
    };
    if (path === "/config.json") return send(200, TYPES[".json"] ?? "", config);
    const rel = normalize(path === "/" ? "/index.html" : path);
    if (rel.includes("..")) return send(400, "text/plain", "bad path");
    // Hashed assets never change: cache them; index.html always revalidates.
    const cache = rel.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    readFile(join(opts.distDir, rel)).then(
      (body) => send(200, TYPES[extname(rel)] ?? "application/octet-stream", body, cache),
      () => send(404, "text/plain", "not found"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      const a = server.address() as AddressInfo;
      resolve({ url: `http://${opts.host}:${a.port}`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
