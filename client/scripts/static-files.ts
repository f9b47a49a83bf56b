// What the client's and the widgets' static servers and build checks share: staleness of a built
// folder against its sources, a safe request path, sending a file with the right type and cache
// policy, and listening on an (ephemeral) port. Used by client/scripts and widgets/scripts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";

export const STATIC_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
};

export function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when the stamp is missing or older than the newest of the sources that exist. */
export function buildIsStale(stamp: string, sources: readonly string[]): boolean {
  if (!existsSync(stamp)) return true;
  const present = sources.filter((p) => existsSync(p));
  return present.length > 0 && Math.max(...present.map(newestMtime)) > statSync(stamp).mtimeMs;
}

export type Send = (status: number, type: string, body: string | Buffer, cache?: string) => void;

export function sender(res: ServerResponse): Send {
  return (status, type, body, cache = "no-cache") => {
    res.writeHead(status, { "Content-Type": type, "Cache-Control": cache, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" });
    res.end(body);
  };
}

/** The request's decoded, normalised path; undefined for a malformed escape or a `..` segment. */
export function requestPath(req: IncomingMessage): string | undefined {
  try {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    return path.includes("..") ? undefined : path;
  } catch {
    return undefined;
  }
}

/** Sends dir/rel: hashed bundles under assets/ are cached for good, everything else revalidates. */
export function sendFile(send: Send, dir: string, rel: string): void {
  const cache = /^\/?assets\//.test(rel) ? "public, max-age=31536000, immutable" : "no-cache";
  readFile(join(dir, rel)).then(
    (body) => send(200, STATIC_TYPES[extname(rel)] ?? "application/octet-stream", body, cache),
    () => send(404, "text/plain", "not found"),
  );
}

export interface ServedStatic { url: string; server: Server; close(): Promise<void> }

export function listenStatic(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<ServedStatic> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      resolve({ url: `http://${host}:${a.port}`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
