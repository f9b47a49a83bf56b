// Static server for the built widgets, on an origin of their own (another port than the client):
// widget iframes run with allow-same-origin, so a widget on the client's origin could read the
// agent's session; on a separate origin it cannot. /<app>/… serves widgets/<app>/dist. The Jitsi
// wrapper's config.json (its allow-list) is the built one unless the caller gives the domains.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { listenStatic, requestPath, sendFile, sender, STATIC_TYPES, type ServedStatic } from "../../client/scripts/static-files.ts";
import type { WidgetApp } from "./widgets-build.ts";

export type ServedWidgets = ServedStatic;

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
  return listenStatic((req, res) => {
    const send = sender(res);
    const path = requestPath(req);
    if (path === undefined) return send(400, "text/plain", "bad path");
    const [, app = "", ...rest] = path.split("/");
    const dist = dists.get(app);
    if (dist === undefined) return send(404, "text/plain", "not found");
    // The bundles' base is relative: /jitsi must become /jitsi/ for ./assets to resolve.
    if (rest.length === 0) {
      res.writeHead(301, { Location: `/${app}/` });
      return void res.end();
    }
    const rel = rest.join("/") === "" ? "index.html" : rest.join("/");
    if (app === "jitsi" && rel === "config.json" && opts.jitsiDomains !== undefined) return send(200, STATIC_TYPES[".json"] ?? "", jitsiConfigJson(opts.jitsiDomains));
    // Hashed bundles never change; pages and config.json (the allow-list) always revalidate.
    sendFile(send, dist, rel);
  }, opts.host, opts.port);
}
