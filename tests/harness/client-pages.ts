// What the browser tests share: the web client served for test councils (federated homeservers,
// the client build, Chromium), pages signed in through the form or from a saved session, and the
// client-server API called as an agent to set up or check what the page did.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startFederation, type TestFederation } from "./federation.ts";
import { launchChromium } from "./browser.ts";
import { registerUser } from "./homeserver.ts";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";

export const PASSWORD = "correct horse battery staple";

/** A registered agent, as `registerUser` returns it. */
export interface Agent { userId: string; accessToken: string; deviceId: string }

/** Calls /_matrix/client/v3`path` on `base` as `who`; a non-2xx answer throws with its body. */
export async function clientApi(base: string, who: { accessToken: string }, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/_matrix/client/v3${path}`, { method, headers: { Authorization: `Bearer ${who.accessToken}`, "Content-Type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The web client served for federated test councils (each council's id, label and server name are its name), and one Chromium. */
export interface CouncilsClient {
  fed: TestFederation;
  web: ServedClient;
  browser: Browser;
  /** Closes the browser, the client server and the homeservers (what was started). */
  stop(): Promise<void>;
}

export async function startCouncilsClient(
  councils: string[],
  opts: { configure?: (name: string, c: HomeserverConfig) => void; extraConfig?: Record<string, unknown> } = {},
): Promise<CouncilsClient> {
  const [fed, dist] = await Promise.all([startFederation(councils, opts.configure ? { configure: opts.configure } : {}), ensureClientBuild()]);
  let web: ServedClient | undefined;
  try {
    web = await serveClient({
      distDir: dist, host: "127.0.0.1", port: 0, ...(opts.extraConfig ? { extraConfig: opts.extraConfig } : {}),
      councils: councils.map((n) => ({ id: n, label: n, serverName: n, homeserverUrl: fed.get(n).url })),
    });
    const browser = await launchChromium();
    const served = web;
    return { fed, web, browser, stop: async () => { await browser.close(); await served.close(); await fed.stop(); } };
  } catch (e) {
    await web?.close();
    await fed.stop();
    throw e;
  }
}

/** What `useCouncilsClient` gives a suite: filled in by its `before` hook. */
export interface CouncilsSuite {
  readonly fed: TestFederation;
  readonly web: ServedClient;
  readonly browser: Browser;
  /** A new browser context (French by default), closed after the suite. */
  newContext(options?: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext>;
  /** A new page in a new context (see newContext). */
  newPage(options?: Parameters<Browser["newContext"]>[0]): Promise<Page>;
}

/**
 * Mocha hooks for the current suite: `before` starts the client for `councils` (as
 * startCouncilsClient) and registers `users` (name → council, with PASSWORD); `after` closes the
 * contexts opened through the suite and stops everything.
 */
export function useCouncilsClient(councils: string[], opts: Parameters<typeof startCouncilsClient>[1] & { users?: Record<string, string> } = {}): CouncilsSuite {
  let env: CouncilsClient | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    env = await startCouncilsClient(councils, opts);
    for (const [user, council] of Object.entries(opts.users ?? {})) await registerUser(env.fed.get(council).url, user, PASSWORD);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await env?.stop();
  });
  const started = (): CouncilsClient => {
    if (env === undefined) throw new Error("the client is not started yet (useCouncilsClient's before hook)");
    return env;
  };
  const newContext = async (options: Parameters<Browser["newContext"]>[0] = { locale: "fr-FR" }): Promise<BrowserContext> => {
    const ctx = await started().browser.newContext(options);
    contexts.push(ctx);
    return ctx;
  };
  return {
    get fed() { return started().fed; },
    get web() { return started().web; },
    get browser() { return started().browser; },
    newContext,
    newPage: async (options) => (await newContext(options)).newPage(),
  };
}

/** Fills the sign-in form (the council chosen when the client serves more than one) and submits it. */
export async function signIn(page: Page, web: string, council: string | undefined, user: string, password = PASSWORD): Promise<void> {
  // A page the client server did not find says so, not "waiting for the council list" 30 s later.
  const res = await page.goto(web);
  if (res !== null && res.status() >= 400) throw new Error(`the web client at ${web} answered ${res.status()} (${(await res.text()).slice(0, 80)})`);
  if (council !== undefined) await page.getByLabel("Votre collectivité").selectOption(council);
  await page.locator("input[name=user]").fill(user);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/** Waits for the recovery key shown after a first sign-in, confirms it was saved, and returns it. */
export async function saveRecoveryKey(page: Page): Promise<string> {
  const key = page.getByTestId("recovery-key");
  await key.waitFor({ timeout: 60_000 });
  const text = (await key.textContent())?.trim() ?? "";
  await page.getByRole("button", { name: "J'ai enregistré ma clé" }).click();
  return text;
}

/** Makes every page of `ctx` start with `who`'s saved session, as after a reload. */
export async function addSavedSession(ctx: BrowserContext, base: string, who: Agent): Promise<void> {
  const session = JSON.stringify({ baseUrl: base, userId: who.userId, accessToken: who.accessToken, deviceId: who.deviceId });
  await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
}

/** A new French page of the client at `webUrl`, already signed in as `who` (saved session). */
export async function openSignedIn(browser: Browser, webUrl: string, base: string, who: Agent): Promise<Page> {
  const ctx = await browser.newContext({ locale: "fr-FR" });
  await addSavedSession(ctx, base, who);
  const page = await ctx.newPage();
  await page.goto(webUrl);
  return page;
}

/** Keeps, in the page's `__revoked`, every object URL the page revokes (previews must not leak them). */
export async function recordRevokedObjectUrls(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const g = globalThis as unknown as { URL: typeof URL; __revoked: string[] };
    g.__revoked = [];
    const revoke = g.URL.revokeObjectURL.bind(g.URL);
    g.URL.revokeObjectURL = (u: string) => { g.__revoked.push(u); revoke(u); };
  });
}

/** The first timeline message showing `text` (a reply quoting a message also contains its text). */
export const message = (page: Page, text: string) => page.locator("article").filter({ hasText: text }).first();
