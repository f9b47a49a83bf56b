// The web client as the browser benches run it: one test homeserver, the client served for it as
// one council, one Chromium; pages opened on a fresh device of an agent (its own saved session).
import type { Browser, Page } from "playwright-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchChromium } from "../harness/browser.ts";
import { addSavedSession, PASSWORD, type Agent } from "../harness/client-pages.ts";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

export interface BenchClient { hs: TestHomeserver; web: ServedClient; browser: Browser }

/** Runs `fn` with the client served for a fresh homeserver (council `serverName`), and stops them all after. */
export async function withBenchClient<T>(serverName: string, fn: (c: BenchClient) => Promise<T>): Promise<T> {
  const dist = await ensureClientBuild();
  const hs = await startTestHomeserver();
  const web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: "b", label: "Bench", serverName, homeserverUrl: hs.url }] });
  const browser = await launchChromium();
  try {
    return await fn({ hs, web, browser });
  } finally {
    await browser.close();
    await web.close();
    await hs.stop();
  }
}

/** Signs `user` in over the API (a new device, nothing cached) and opens the client on it in a new context of `c.browser`. */
export async function openOnNewDevice(c: BenchClient, user: string, contextOptions: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  const login = await fetch(`${c.hs.url}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password: PASSWORD }) });
  const s = (await login.json()) as { user_id: string; access_token: string; device_id: string };
  const who: Agent = { userId: s.user_id, accessToken: s.access_token, deviceId: s.device_id };
  const ctx = await c.browser.newContext(contextOptions);
  await addSavedSession(ctx, c.hs.url, who);
  const page = await ctx.newPage();
  await page.goto(c.web.url);
  return page;
}
