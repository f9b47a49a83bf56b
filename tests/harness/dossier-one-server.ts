// One homeserver, the built web client, Chromium, and an agent already signed in (session put in
// localStorage) on an encrypted dossier of their own: what a dossier transfer test starts from
// when it needs no second council and no sign-in steps.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchChromium } from "./browser.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "./homeserver.ts";

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
  const ctx = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
  const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
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
