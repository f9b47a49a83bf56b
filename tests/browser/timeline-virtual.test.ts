// The virtualised timeline in Chromium over a room of 1,500 messages sent through the API: the DOM
// keeps a bounded number of rows, "jump to the first unread" loads history back to the read
// position and lands on the right message, a reply's quote jumps to the quoted message, back-
// pagination at the top keeps the visible message in place (the page's answer held until the view is
// noted; the list is aria-busy meanwhile), Home reaches the start of the room and End the
// bottom, a new message at the bottom keeps the view pinned there, and switching rooms while a
// page of history loads leaves the other room's list neither busy nor blocked.
import assert from "node:assert/strict";
import type { Browser, Locator, Page } from "playwright-core";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { launchChromium, screenshot } from "../harness/browser.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";

interface Agent { userId: string; accessToken: string; deviceId: string }
const N = 1_500;

async function api(base: string, who: Agent, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/_matrix/client/v3${path}`, { method, headers: { Authorization: `Bearer ${who.accessToken}`, "Content-Type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Sends N messages one after the other (the test relies on timeline order = index). */
async function seed(base: string, who: Agent, roomId: string, content: (i: number, ids: string[]) => Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const r = await api(base, who, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/seed-${i}`, content(i, ids));
    ids.push(String(r["event_id"]));
  }
  return ids;
}

/** The row count and accessible set size of the main timeline (rows are li[data-key] in its shadow root). */
async function rows(page: Page): Promise<{ inDom: number; setSize: number }> {
  const list = page.locator("ent-room .pane > ent-timeline");
  const inDom = await list.locator("li[data-key]").count();
  const setSize = Number(await list.locator("li[data-key]").first().getAttribute("aria-setsize"));
  return { inDom, setSize };
}

/** The event id of the element focused inside the shadow roots. */
interface Focusable { shadowRoot: { activeElement: Focusable | null } | null; getAttribute(name: string): string | null }
const focusedEventId = (page: Page): Promise<string | undefined> => page.evaluate(() => {
  let el = (globalThis as unknown as { document: { activeElement: Focusable | null } }).document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el?.getAttribute("data-event-id") ?? undefined;
});

/** Two animation frames: rows rendered in the first are measured (ResizeObserver) and placed. */
const twoFrames = (page: Page): Promise<void> => page.evaluate(() => new Promise<void>((r) => {
  const w = globalThis as unknown as { requestAnimationFrame(cb: () => void): number };
  w.requestAnimationFrame(() => w.requestAnimationFrame(() => r()));
}));

/** Is the article inside the visible part of the scrolled list? */
async function inView(viewport: Locator, article: Locator): Promise<boolean> {
  const [v, a] = await Promise.all([viewport.boundingBox(), article.boundingBox()]);
  return v !== null && a !== null && a.y + a.height > v.y && a.y < v.y + v.height;
}

describe("web client in Chromium: virtualised timeline of 1,500 messages", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let web: ServedClient;
  let browser: Browser;

  before(async () => {
    const [h, dist] = await Promise.all([startTestHomeserver(), ensureClientBuild()]);
    hs = h;
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: "c", label: "Commune", serverName: "test.local", homeserverUrl: hs.url }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await hs?.stop();
  });

  it("keeps the DOM bounded, jumps to the first unread and to a quoted message, reaches the start and the bottom", async () => {
    const alice = await registerUser(hs.url, "alice");
    const bob = await registerUser(hs.url, "bob");
    const { room_id: roomId } = (await api(hs.url, bob, "POST", "/createRoom", { name: "Conseil municipal", preset: "private_chat", invite: [alice.userId] })) as { room_id: string };
    await api(hs.url, alice, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    // A second room, to switch to while a page of the first one's history loads.
    const { room_id: other } = (await api(hs.url, bob, "POST", "/createRoom", { name: "Commission voirie", preset: "private_chat", invite: [alice.userId] })) as { room_id: string };
    await api(hs.url, alice, "POST", `/join/${encodeURIComponent(other)}`, {});
    await api(hs.url, bob, "PUT", `/rooms/${encodeURIComponent(other)}/send/m.room.message/v1`, { msgtype: "m.text", body: "Voirie : ordre du jour" });
    const ids = await seed(hs.url, bob, roomId, (i, sent) => {
      const body = i % 7 === 3 ? `Message ${i}\n${"Une ligne plus longue pour varier la hauteur des lignes. ".repeat(6)}` : `Message ${i}`;
      // The last message replies to message 300: its quote is a jump 1,200 messages back.
      return i === N - 1 ? { msgtype: "m.text", body: `Message ${i}`, "m.relates_to": { "m.in_reply_to": { event_id: sent[300] } } } : { msgtype: "m.text", body };
    });
    // Alice read up to message 699: 800 unread, the first of them far above what the first sync loads.
    await api(hs.url, alice, "POST", `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(ids[699] ?? "")}`, {});

    const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 800 } });
    const session = JSON.stringify({ baseUrl: hs.url, userId: alice.userId, accessToken: alice.accessToken, deviceId: alice.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    const page = await ctx.newPage();
    await page.goto(web.url);
    await page.getByRole("link", { name: /Conseil municipal/ }).click({ timeout: 60_000 });
    const timeline = page.locator("ent-room .pane > ent-timeline");
    const viewport = timeline.locator(".viewport");
    const article = (i: number): Locator => timeline.locator(`article[data-event-id="${ids[i] ?? ""}"]`);
    try {
      await article(N - 1).waitFor({ timeout: 60_000 });
      await waitFor("the room opens at the bottom", async () => ((await inView(viewport, article(N - 1))) ? true : undefined));

      // Jump to the first unread: history is loaded back to the read position, focus on message 700.
      await page.getByRole("button", { name: "Aller au premier message non lu" }).click();
      await waitFor("focus on the first unread message", async () => ((await focusedEventId(page)) === ids[700] ? true : undefined), 90_000);
      assert.equal(await inView(viewport, article(700)), true, "the first unread message is in view");
      let r = await rows(page);
      assert.ok(r.setSize > 800, `history loaded back to the read position (${r.setSize} rows)`);
      assert.ok(r.inDom < 120, `only the visible window is in the DOM (${r.inDom} of ${r.setSize})`);

      // A reply's quote jumps to the quoted message (loading more history first).
      await viewport.press("End");
      await article(N - 1).locator("button.reply").click();
      await waitFor("focus on the quoted message", async () => ((await focusedEventId(page)) === ids[300] ? true : undefined), 90_000);
      assert.equal(await inView(viewport, article(300)), true);

      // Back-pagination at the top keeps the visible message in place. The page's /messages answer
      // is held until the top message is noted: it is measured in a settled view with the page still
      // to come (a page landing first moves the top rows out of the DOM, as designed).
      const busy = async (): Promise<string | null> => viewport.getAttribute("aria-busy");
      await waitFor("no history loading", async () => ((await busy()) === "false" ? true : undefined), 30_000);
      let release = (): void => undefined;
      const held = new Promise<void>((r) => { release = r; });
      const messagesApi = /\/rooms\/[^/]+\/messages\?/;
      await page.route(messagesApi, async (route) => {
        await held;
        await route.continue();
      });
      const before = await rows(page);
      await viewport.evaluate((el) => { el.scrollTop = 0; });
      await waitFor("a page of history requested at the top", async () => ((await busy()) === "true" ? true : undefined), 30_000);
      await viewport.locator("li.head").waitFor({ state: "attached" });
      // The first article from the top of the list, once the rows are measured.
      await twoFrames(page);
      const topId = await viewport.evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        const a = [...el.querySelectorAll("article")].find((x) => x.getBoundingClientRect().top >= top);
        return { id: a?.getAttribute("data-event-id") ?? "", y: (a?.getBoundingClientRect().top ?? 0) - top };
      });
      release();
      await waitFor("a page of older messages", async () => ((await rows(page)).setSize > before.setSize && (await busy()) === "false" ? true : undefined), 30_000);
      await page.unroute(messagesApi);
      await twoFrames(page);
      const y = await viewport.evaluate((el, id) => {
        const a = el.querySelector(`article[data-event-id="${id}"]`);
        return a === null ? undefined : a.getBoundingClientRect().top - el.getBoundingClientRect().top;
      }, topId.id);
      process.stdout.write(`      top message at ${topId.y.toFixed(1)} px, ${y?.toFixed(1) ?? "gone"} px after a page of history\n`);
      assert.ok(y !== undefined && Math.abs(y - topId.y) < 4, `the message at the top stays in place (${topId.y} → ${y})`);

      // Home (keyboard, on the focused list) until the start of the room.
      await waitFor("the start of the room", async () => {
        await viewport.press("Home");
        return (await timeline.getByText("Début du salon").isVisible()) ? true : undefined;
      }, 90_000);
      await article(0).waitFor();
      assert.equal(await inView(viewport, article(0)), true, "message 0 at the top");
      r = await rows(page);
      assert.ok(r.setSize >= N, `all ${N} messages loaded (${r.setSize} rows)`);
      assert.ok(r.inDom < 120, `still a bounded DOM at the top (${r.inDom})`);
      await screenshot(page, "timeline-virtual-top");

      // PageDown moves by about a screen; End goes to the bottom; a new message keeps it there.
      const top0 = await viewport.evaluate((el) => el.scrollTop);
      await viewport.press("PageDown");
      // "about a screen": more than half the list's visible height (the frame gives the list what the
      // top bar and banners leave, ~320 px at 1200x800 with the recovery key banner)
      await waitFor("PageDown scrolls", async () => ((await viewport.evaluate((el, from) => el.scrollTop > from + el.clientHeight / 2, top0)) ? true : undefined));
      await viewport.press("End");
      await waitFor("End reaches the bottom", async () => ((await inView(viewport, article(N - 1))) ? true : undefined));
      const { event_id: live } = (await api(hs.url, bob, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/live`, { msgtype: "m.text", body: "Nouveau message en direct" })) as { event_id: string };
      const liveArticle = timeline.locator(`article[data-event-id="${live}"]`);
      await liveArticle.waitFor({ timeout: 30_000 });
      await waitFor("the new message in view", async () => ((await inView(viewport, liveArticle)) ? true : undefined));
      assert.equal(await viewport.getAttribute("role"), "log");
      assert.equal(await viewport.getAttribute("aria-live"), "off", "rows mounted by scrolling are not announced");
      await screenshot(page, "timeline-virtual-bottom");
    } catch (e) {
      await screenshot(page, "timeline-virtual-failure");
      throw e;
    }

    // Switching rooms while a page of history loads: the other room is not busy (nor blocked from
    // paging back); back in this room, its page is still loading, then lands. In a fresh page (this
    // one has all history now), so that the switch does not touch the measurements above.
    const ctx2 = await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 800 } });
    await ctx2.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    const page2 = await ctx2.newPage();
    try {
      const vp2 = page2.locator("ent-room .pane > ent-timeline .viewport");
      const busy2 = async (): Promise<string | null> => vp2.getAttribute("aria-busy");
      await page2.goto(web.url);
      await page2.getByRole("link", { name: /Conseil municipal/ }).click({ timeout: 60_000 });
      await page2.locator(`ent-room .pane > ent-timeline article[data-event-id="${ids[N - 1] ?? ""}"]`).waitFor({ timeout: 60_000 });
      await waitFor("no history loading", async () => ((await busy2()) === "false" ? true : undefined), 30_000);
      let release = (): void => undefined;
      const held = new Promise<void>((r) => { release = r; });
      const thisRoomMessages = (u: URL): boolean => u.pathname.endsWith(`/rooms/${encodeURIComponent(roomId)}/messages`);
      await page2.route(thisRoomMessages, async (route) => {
        await held;
        await route.continue();
      });
      // to the top until a page is asked for (held): a page asked just before the route was in place
      // lands unheld and re-anchors the view below the top, which asks for nothing more by itself
      await waitFor("a page of history requested", async () => {
        if ((await busy2()) === "true") return true;
        await vp2.evaluate((el) => { el.scrollTop = 0; });
        return undefined;
      }, 30_000);
      await page2.getByRole("link", { name: /Commission voirie/ }).click();
      await page2.locator("ent-room .pane > ent-timeline").getByText("Voirie : ordre du jour").waitFor({ timeout: 30_000 });
      // (it may page back itself: wait for it to settle, which it never did while the other room's page was held)
      await waitFor("the other room's list not busy with this room's page", async () => ((await busy2()) === "false" ? true : undefined), 10_000);
      await page2.getByRole("link", { name: /Conseil municipal/ }).click();
      await waitFor("back in the room, its page still loading", async () => ((await busy2()) === "true" ? true : undefined), 30_000);
      release();
      await waitFor("the page lands", async () => ((await busy2()) === "false" ? true : undefined), 30_000);
    } catch (e) {
      await screenshot(page2, "timeline-virtual-switch-failure");
      throw e;
    } finally {
      await ctx2.close();
    }
  });
});
