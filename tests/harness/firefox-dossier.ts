// One homeserver, the built web client and Firefox ESR with an agent already signed in (session in
// localStorage) on an encrypted dossier of their own: what the Firefox dossier test and bench
// start from (tests/harness/dossier-one-server.ts is the Chromium one).
import type { Browser, Page } from "puppeteer-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchFirefox, waitDeep, withFailureShot } from "./firefox.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "./homeserver.ts";

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
    const me = await registerUser(hs.url, "agent");
    const call = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${hs.url}/_matrix/client/v3${path}`, { method: path.includes("/state/") ? "PUT" : "POST", headers: { Authorization: `Bearer ${me.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const space = String((await call("/createRoom", { name: "Espace", preset: "private_chat", creation_content: { type: "m.space" } }))["room_id"]);
    const roomId = String((await call("/createRoom", {
      name: o.title, preset: "private_chat", creation_content: { type: "fr.entente.dossier" },
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    }))["room_id"]);
    await call(`/rooms/${encodeURIComponent(space)}/state/m.space.child/${encodeURIComponent(roomId)}`, { via: [new URL(hs.url).hostname] });
    browser = await launchFirefox(o.downloadDir);
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${web.url}/`);
    const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
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
