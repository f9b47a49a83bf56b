// `entente start` serves the widgets (widgets/*/dist, built first if missing or stale) on their own
// port next to the web client, and tells the client where they are through its config.json:
// `widgets.base_url` and the Jitsi allow-list (`jitsi_domains`, the demo's meet.jit.si unless
// ENTENTE_JITSI_DOMAINS lists others). A failure leaves the client without widgets, nothing else.
import type { Io } from "./cli-kit.ts";
import { ensureWidgetBuilds } from "../../widgets/scripts/widgets-build.ts";
import { builtJitsiDomains, serveWidgets, type ServedWidgets } from "../../widgets/scripts/serve-widgets.ts";

export const DEFAULT_WIDGETS_PORT = 8081;

export interface StartedWidgets { served: ServedWidgets; clientConfig: { widgets: { base_url: string; jitsi_domains: string[] } } }

export function jitsiDomainsFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((d) => d.trim().toLowerCase()).filter((d) => d !== "");
}

export async function startWidgets(io: Io): Promise<StartedWidgets | undefined> {
  if (io.env["ENTENTE_WIDGETS"] === "off") return undefined;
  try {
    const apps = await ensureWidgetBuilds((l) => io.err(l));
    const jitsiDomains = jitsiDomainsFromEnv(io.env["ENTENTE_JITSI_DOMAINS"]) ?? (await builtJitsiDomains(apps));
    const wanted = Number(io.env["ENTENTE_WIDGETS_PORT"] ?? DEFAULT_WIDGETS_PORT);
    const listen = (port: number): Promise<ServedWidgets> => serveWidgets({ apps, host: "127.0.0.1", port, jitsiDomains });
    const served = await listen(wanted).catch(() => listen(0));
    io.out(`Widgets : ${served.url}/ (${apps.map((a) => a.name).join(", ")})\n`);
    return { served, clientConfig: { widgets: { base_url: `${served.url}/`, jitsi_domains: jitsiDomains } } };
  } catch (e: unknown) {
    io.err(`entente: widgets not served: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}
