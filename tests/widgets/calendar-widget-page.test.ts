// The calendar widget page in Chromium under our driver with an in-memory client (no homeserver):
// English when the URL asks for it, the agent's zone from the URL, the "no calendar yet" empty
// state when the room has no fr.entente.calendar binding, the capabilities it asks for.
import assert from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { waitFor } from "../harness/homeserver.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";

describe("calendar widget page (offline host)", function () {
  this.timeout(120_000);
  let pages: WidgetPages;
  let context: BrowserContext;
  before(async () => {
    pages = await startWidgetPages({ jitsiConfig: {}, apps: ["calendar"] });
    context = await pages.browser.newContext({ locale: "en-GB" });
  });
  after(async () => {
    await context?.close();
    await pages?.stop();
  });

  it("speaks English with language=en, shows times in the URL's zone, says the room has no calendar", async () => {
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/widgets/calendar/index.html#userId=$matrix_user_id&roomId=$matrix_room_id&language=en&tz=Indian/Reunion`, name: "Calendar" };
    const page = await context.newPage();
    const hash = new URLSearchParams({ mode: "offline", user: "@anne:ville-a.fr", room: "!r:ville-a.fr", wid: "calendar", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    const labels = (await page.locator("entente-widget-consent label").allTextContents().then(async (l) => (l.length > 0 ? l : (await page.locator("#approve").waitFor(), page.locator("entente-widget-consent label").allTextContents())))).map((l) => l.trim());
    assert.equal(labels.length, 11, labels.join("\n"));
    await page.locator("#approve").click();
    const frame = await waitFor("the calendar frame", () => page.frames().find((f) => f.url().includes("/widgets/calendar/")));
    await frame.getByText("This room has no calendar yet.", { exact: false }).waitFor({ timeout: 30_000 });
    await frame.getByText("Times shown in Indian/Reunion").waitFor();
    assert.deepEqual(await frame.getByRole("tab").allTextContents(), ["Month", "Week", "List"]);
    assert.equal(await frame.locator("#new-event").count(), 0, "nothing to create events in without a binding");
    await frame.getByRole("tab", { name: "List" }).click();
    await frame.getByText("No events in this period.").waitFor();
    assert.equal(await frame.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang), "en");
    await page.close();
  });
});
