// One homeserver, the built web client, Chromium, and an agent already signed in (session put in
// localStorage) on an encrypted dossier of their own: what a dossier transfer test starts from
// when it needs no second council and no sign-in steps.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchChromium } from "./browser.ts";
import { startTestHomeserver, type TestHomeserver } from "./homeserver.ts";
import { agentWithDossier } from "./dossier-room.ts";

export interface OneServerDossier {
  hs: TestHomeserver;
  web: ServedClient;
  browser: Browser;
  ctx: BrowserContext;
  page: Page;
  roomId: string;
  /** The dossier's address in the client (to open it again). */
  href: string;
  close(): Promise<void>;
}

export async function openOneServerDossier(o: { title: string; largeFileThreshold: number }): Promise<OneServerDossier> {
  const dist = await ensureClientBuild();
  const hs = await startTestHomeserver();
  const web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, extraConfig: { dossiers: { large_file_threshold: o.largeFileThreshold } }, councils: [{ id: "a", label: "Ville A", serverName: "localhost", homeserverUrl: hs.url }] });
  const browser = await launchChromium();
  const { roomId, session } = await agentWithDossier(hs.url, o.title);
  const ctx = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
  await ctx.addInitScript((v: string) => {
    // only the first load of a tab: a reload must find what the page itself stored
    const g = globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } };
    if (g.localStorage.getItem("entente.session") === null) g.localStorage.setItem("entente.session", v);
  }, session);
  const page = await ctx.newPage();
  const href = `${web.url}#/dossier/${encodeURIComponent(roomId)}`;
  await page.goto(href);
  await page.getByRole("heading", { name: o.title }).waitFor({ timeout: 120_000 });
  return {
    hs, web, browser, ctx, page, roomId, href,
    async close() {
      await browser.close();
      await web.close();
      await hs.stop();
    },
  };
}
