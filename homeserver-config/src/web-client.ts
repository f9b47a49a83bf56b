// `entente start` serves the web client (client/dist, built first if missing or stale) with a
// config.json listing the councils it started, so agents open one URL and pick their council.
// A failure here is reported but does not stop the councils: the client API still works.
import type { Io } from "./cli-kit.ts";
import type { CouncilLine } from "./start-table.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { startWidgets } from "./web-widgets.ts";

export const DEFAULT_WEB_PORT = 8080;

async function listen(distDir: string, lines: readonly CouncilLine[], port: number, extraConfig: Record<string, unknown>): Promise<ServedClient> {
  const councils = lines.map((l) => ({ id: l.council, label: l.council, serverName: l.serverName, homeserverUrl: l.clientUrl }));
  return serveClient({ distDir, councils, host: "127.0.0.1", port, extraConfig });
}

/** The served client; widgetsBaseUrl: where the widgets are served (undefined: not served). */
export type WebClient = ServedClient & { widgetsBaseUrl?: string | undefined };

/** extraConfig: more sections of config.json (e.g. the councils' share services, council-share.ts). */
export async function startWebClient(lines: readonly CouncilLine[], io: Io, extraConfig: Record<string, unknown> = {}): Promise<WebClient | undefined> {
  if (io.env["ENTENTE_WEB"] === "off") return undefined;
  try {
    const dist = await ensureClientBuild((l) => io.err(l));
    const widgets = await startWidgets(io);
    const extra = { ...extraConfig, ...widgets?.clientConfig };
    const wanted = Number(io.env["ENTENTE_WEB_PORT"] ?? DEFAULT_WEB_PORT);
    // Another federation (or anything) on the port: an ephemeral one rather than no client.
    const web = await listen(dist, lines, wanted, extra).catch(() => listen(dist, lines, 0, extra));
    io.out(`Web client / client web : ${web.url}\n`);
    return { ...web, widgetsBaseUrl: widgets?.clientConfig.widgets.base_url, close: async () => { await Promise.all([web.close(), widgets?.served.close()]); } };
  } catch (e: unknown) {
    io.err(`entente: web client not served: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}
