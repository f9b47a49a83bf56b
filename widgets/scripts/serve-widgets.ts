// Static server for the built widgets, on an origin of their own (another port than the client):
// widget iframes run with allow-same-origin, so a widget on the client's origin could read the
// agent's session; on a separate origin it cannot. /<app>/… serves widgets/<app>/dist. The Jitsi
// wrapper's config.json (its allow-list) is the built one unless the caller gives the domains.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import type { WidgetApp } from "./widgets-build.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
};

export interface ServedWidgets { url: string; server: Server; close(): Promise<void> }

export function jitsiConfigJson(domains: readonly string[]): string {
  return JSON.stringify({ widgets: { jitsi_domains: domains } }, null, 2);
}

/** The Jitsi allow-list a built wrapper carries (dist/config.json); [] when unreadable. */
export async function builtJitsiDomains(apps: readonly WidgetApp[]): Promise<string[]> {
  const jitsi = apps.find((a) => a.name === "jitsi");
  if (jitsi === undefined) return [];
  try {
    const json: unknown = JSON.parse(await readFile(join(jitsi.distDir, "config.json"), "utf8"));
    const list = (json as { widgets?: { jitsi_domains?: unknown } } | null)?.widgets?.jitsi_domains;
    return Array.isArray(list) ? list.filter((d): d is string => typeof d === "string") : [];
  } catch {
    return [];
  }
}

export function serveWidgets(opts: { apps: readonly WidgetApp[]; host: string; port: number; jitsiDomains?: readonly string[] }): Promise<ServedWidgets> {
  const dists = new Map(opts.apps.map((a) => [a.name, a.distDir]));
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string | Buffer, cache = "no-cache"): void => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": cache, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" });
      res.end(body);
    };
    let path: string;
    try {
      path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    } catch {
      return send(400, "text/plain", "bad path");
    }
    if (path.includes("..")) return send(400, "text/plain", "bad path");
    const [, app = "", ...rest] = path.split("/");
    const dist = dists.get(app);
    if (dist === undefined) return send(404, "text/plain", "not found");
    // The bundles' base is relative: /jitsi must become /jitsi/ for ./assets to resolve.
    if (rest.length === 0) {
      res.writeHead(301, { Location: `/${app}/` });
      return void res.end();
    }
    const rel = rest.join("/") === "" ? "index.html" : rest.join("/");
    if (app === "jitsi" && rel === "config.json" && opts.jitsiDomains !== undefined) return send(200, TYPES[".json"] ?? "", jitsiConfigJson(opts.jitsiDomains));
    // Hashed bundles never change; pages and config.json (the allow-list) always revalidate.
    const cache = rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    readFile(join(dist, rel)).then(
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
