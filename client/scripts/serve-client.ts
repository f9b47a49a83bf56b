// A small static server for client/dist plus a config.json made from the running councils. The
// client is another origin than the homeservers; they answer CORS for every client API route.
import { listenStatic, requestPath, sendFile, sender, STATIC_TYPES, type ServedStatic } from "./static-files.ts";

export interface ServedCouncil { id: string; label: string; serverName: string; homeserverUrl: string }

/** `extra`: more top-level sections, e.g. `widgets` (widgets/scripts/serve-widgets.ts). */
export function clientConfigJson(councils: readonly ServedCouncil[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ councils: councils.map((c) => ({ id: c.id, label: c.label, server_name: c.serverName, homeserver_url: c.homeserverUrl })), ...extra }, null, 2);
}

export type ServedClient = ServedStatic;

export function serveClient(opts: { distDir: string; councils: readonly ServedCouncil[]; host: string; port: number; extraConfig?: Record<string, unknown> }): Promise<ServedClient> {
  const config = clientConfigJson(opts.councils, opts.extraConfig);
  return listenStatic((req, res) => {
    const send = sender(res);
    const path = requestPath(req);
    if (path === undefined) return send(400, "text/plain", "bad path");
    if (path === "/config.json") return send(200, STATIC_TYPES[".json"] ?? "", config);
    sendFile(send, opts.distDir, path === "/" ? "/index.html" : path);
  }, opts.host, opts.port);
}
