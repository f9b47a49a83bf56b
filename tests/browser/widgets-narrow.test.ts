// The room's widget panel at 800 px and at 1280 px wide, in the real web client (Chromium). At
// 1280 the panel and its frame stay a 26rem column at the window's right edge, as before. At 800
// a 26rem column would leave a strip of timeline with its text cut under the panel: there the
// panel covers the whole room pane (header excepted), with its close button, and closing it
// gives the timeline back; at 1280 the timeline and the composer shrink to stay beside the column
// (they were under it: the composer's right half could not be clicked). Screenshots of both in tests/artifacts (widgets-narrow-*.png).
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { PASSWORD } from "../harness/client-pages.ts";
import { startWidgetPages, type WidgetPages } from "../widgets/widget-pages.ts";
import { openClientWithWidgets } from "../widgets/widget-client.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import type { ServedClient } from "../../client/scripts/serve-client.ts";

const ALLOWED = "meet.allowed.test";
type Box = { left: number; right: number; top: number; bottom: number };

describe("web client: the room's widget panel at 800 and 1280 px wide (Chromium)", function () {
  this.timeout(300_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  let web: ServedClient;
  let context: BrowserContext;
  let page: Page;
  const external: string[] = [];

  before(async () => {
    const dist = await ensureClientBuild();
    pages = await startWidgetPages({ jitsiConfig: { widgets: { jitsi_domains: [ALLOWED] } } });
    hs = await startTestHomeserver();
    const anne = await registerUser(hs.url, "anne", PASSWORD);
    const serverName = anne.userId.split(":")[1] ?? "";
    const room = (await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Voirie" })).room_id;
    for (let i = 1; i <= 12; i++) {
      await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/m${i}`, { msgtype: "m.text", body: `Message ${i} : le chantier de la rue des Écoles avance, réunion de suivi jeudi à la mairie annexe.` });
    }
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(room)}/state/im.vector.modular.widgets/direct`, { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/live-widget.html`, name: "Direct", data: {} });
    ({ web, context, page } = await openClientWithWidgets({ dist, pages, hsUrl: hs.url, serverName, allowed: ALLOWED, user: "anne", external }));
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/room/${encodeURIComponent(room)}`);
    await page.getByRole("heading", { name: "Voirie", level: 1 }).waitFor({ timeout: 60_000 });
  });
  screenshotOnFailure("widgets-narrow", () => page);
  after(async () => {
    await context?.close();
    await web?.close();
    await pages?.stop();
    await hs?.stop();
  });

  const boxes = (): Promise<{ pane: Box; aside: Box | undefined; frame: Box | undefined; width: number }> => page.evaluate(() => {
    type El = { shadowRoot: { querySelector(s: string): El | null } | null; getBoundingClientRect(): { left: number; right: number; top: number; bottom: number } };
    const box = (e: El | null | undefined): Box | undefined => { if (e === null || e === undefined) return undefined; const b = e.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
    const g = globalThis as unknown as { innerWidth: number; document: { querySelector(s: string): El | null } };
    const room = g.document.querySelector("ent-app")?.shadowRoot?.querySelector("ent-room");
    const widgets = room?.shadowRoot?.querySelector("ent-room-widgets");
    const pane = box(room);
    if (pane === undefined) throw new Error("no room on screen");
    return { pane, aside: box(widgets?.shadowRoot?.querySelector("aside")), frame: box(widgets?.shadowRoot?.querySelector("entente-widget-frame")), width: g.innerWidth };
  });

  it("opens the panel and a widget: at 1280 a 26rem column on the right, as before", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("button", { name: /^Widgets \(1\)$/ }).click();
    await page.locator('#widgets-panel li[data-widget-id="direct"] .open').click();
    await page.locator("#approve").click({ timeout: 30_000 });
    await page.locator("entente-widget-frame").waitFor({ timeout: 30_000 });
    const b = await boxes();
    await screenshot(page, "widgets-narrow-1280");
    assert.ok(b.aside !== undefined && b.frame !== undefined, JSON.stringify(b));
    assert.equal(Math.round(b.aside.right), b.width, "at the right edge");
    assert.ok(Math.abs(b.aside.right - b.aside.left - 416) <= 1, `26rem wide: ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.frame.right - b.frame.left - 416) <= 1, `the frame too: ${JSON.stringify(b)}`);
    // The timeline and the composer stay usable beside the column, not under it.
    const beside = await page.evaluate(() => {
      type El = { shadowRoot: { querySelector(s: string): El | null } | null; getBoundingClientRect(): { right: number } };
      const room = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document.querySelector("ent-app")?.shadowRoot?.querySelector("ent-room");
      const right = (s: string): number => room?.shadowRoot?.querySelector(s)?.getBoundingClientRect().right ?? Number.NaN;
      return { timeline: right("ent-timeline"), composer: right("ent-composer") };
    });
    assert.ok(beside.timeline <= b.aside.left + 1 && beside.composer <= b.aside.left + 1, `timeline and composer beside the panel: ${JSON.stringify({ beside, aside: b.aside })}`);
    await page.locator("ent-composer textarea").click({ timeout: 5_000 });
  });

  it("at 800: the panel and its frame cover the room pane below its header, not a strip of it; closing gives the timeline back", async () => {
    // The window narrowed with the panel open (a resize, or a 200 % zoom): the panel follows the
    // room header's new place without being opened again.
    await page.setViewportSize({ width: 800, height: 700 });
    await page.locator("entente-widget-frame").waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => {
      type El = { shadowRoot: { querySelector(s: string): El | null } | null; getBoundingClientRect(): { left: number } };
      const room = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document.querySelector("ent-app")?.shadowRoot?.querySelector("ent-room");
      const aside = room?.shadowRoot?.querySelector("ent-room-widgets")?.shadowRoot?.querySelector("aside");
      return room !== null && room !== undefined && aside !== null && aside !== undefined && Math.abs(aside.getBoundingClientRect().left - room.getBoundingClientRect().left) <= 1;
    }, undefined, { timeout: 10_000 }).catch(() => undefined);
    const b = await boxes();
    await screenshot(page, "widgets-narrow-800");
    assert.ok(b.aside !== undefined && b.frame !== undefined, JSON.stringify(b));
    assert.ok(Math.abs(b.aside.left - b.pane.left) <= 1 && Math.round(b.aside.right) === b.width, `panel over the whole pane: ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.frame.left - b.pane.left) <= 1 && Math.round(b.frame.right) === b.width, `frame over the whole pane: ${JSON.stringify(b)}`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.locator("#widgets-close").click();
    await page.getByText("Message 12 : le chantier").waitFor();
    assert.equal(await page.locator("#widgets-panel").count(), 0);
  });
});
