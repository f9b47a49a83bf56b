// One homeserver, the built web client and Firefox ESR with an agent already signed in (session in
// localStorage) on an encrypted dossier of their own: what the Firefox dossier test and bench
// start from (tests/harness/dossier-one-server.ts is the Chromium one).
import type { Browser, Page } from "puppeteer-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchFirefox, waitDeep, withFailureShot } from "./firefox.ts";
import { startTestHomeserver, type TestHomeserver } from "./homeserver.ts";
import { agentWithDossier } from "./dossier-room.ts";

export interface FirefoxDossier {
  hs: TestHomeserver;
  web: ServedClient;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Files Firefox downloads land in `downloadDir` (which must exist). */
export async function openFirefoxDossier(o: { title: string; largeFileThreshold: number; downloadDir: string }): Promise<FirefoxDossier> {
  const dist = await ensureClientBuild();
  const hs = await startTestHomeserver();
  let web: ServedClient | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await web?.close();
    await hs.stop();
  };
  try {
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, extraConfig: { dossiers: { large_file_threshold: o.largeFileThreshold } }, councils: [{ id: "a", label: "Ville A", serverName: "localhost", homeserverUrl: hs.url }] });
    const { roomId, session } = await agentWithDossier(hs.url, o.title);
    browser = await launchFirefox(o.downloadDir);
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${web.url}/`);
    await page.evaluate((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    await page.goto(`${web.url}/#/dossier/${encodeURIComponent(roomId)}`);
    await page.reload();
    await withFailureShot(page, "dossier-open", () => waitDeep(page, "h1, h2", o.title, 120_000));
    return { hs, web, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
