// The web client served for one test homeserver with the widget pages of startWidgetPages, and an
// agent signed in to it in a French page whose https requests are all recorded and refused, but
// for the allowed Jitsi domain's external_api.js, answered by the contract test's stand-in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { WidgetPages } from "./widget-pages.ts";
import { PASSWORD, saveRecoveryKey, signIn } from "../harness/client-pages.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";

const STAND_IN = readFileSync(join(import.meta.dirname, "fixtures/stand-in-external-api.js"), "utf8");

export interface WidgetClient { web: ServedClient; context: BrowserContext; page: Page }

/**
 * Serves the client built in `dist` for the homeserver at `hsUrl` (widgets from `pages`, Jitsi on
 * `allowed` only), opens it and signs `user` in (recovery key saved). Every https URL the page asks
 * for is pushed to `external`. The caller closes `context` and `web`.
 */
export async function openClientWithWidgets(o: { dist: string; pages: WidgetPages; hsUrl: string; serverName: string; allowed: string; user: string; external: string[] }): Promise<WidgetClient> {
  const web = await serveClient({
    distDir: o.dist, host: "127.0.0.1", port: 0, councils: [{ id: "c", label: "Commune", serverName: o.serverName, homeserverUrl: o.hsUrl }],
    extraConfig: { widgets: { base_url: `${o.pages.widgetsOrigin}/widgets/`, jitsi_domains: [o.allowed] } },
  });
  let context: BrowserContext | undefined;
  try {
    context = await o.pages.browser.newContext({ locale: "fr-FR" });
    await context.route((url) => url.protocol === "https:", async (route) => {
      o.external.push(route.request().url());
      if (route.request().url() === `https://${o.allowed}/external_api.js`) await route.fulfill({ contentType: "text/javascript", body: STAND_IN });
      else await route.abort();
    });
    const page = await context.newPage();
    await signIn(page, web.url, undefined, o.user, PASSWORD);
    await saveRecoveryKey(page);
    return { web, context, page };
  } catch (e) {
    await context?.close();
    await web.close();
    throw e;
  }
}
