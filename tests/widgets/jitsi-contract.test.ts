// CONTRACT TEST (no Jitsi server can run here): our Jitsi wrapper, hosted by our client's widget
// driver in Chromium, against a stand-in external_api.js served by this test. It pins what the
// wrapper relies on from Jitsi's IFrame API: `new JitsiMeetExternalAPI(domain, options)` with the
// options we pass, the commands we send (avatarUrl, hangup), and the events we follow
// (videoConferenceJoined, participantJoined/Left, videoConferenceLeft, readyToClose). A domain
// off the allow-list: a refusal, and no request to it at all.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { waitFor } from "../harness/homeserver.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";

const ALLOWED = "meet.allowed.test";
const STAND_IN = readFileSync(join(import.meta.dirname, "fixtures/stand-in-external-api.js"), "utf8");

describe("Jitsi wrapper: IFrame API contract (stand-in external_api.js)", function () {
  this.timeout(180_000);
  let pages: WidgetPages;
  let context: BrowserContext;
  const external: string[] = [];

  before(async () => {
    pages = await startWidgetPages({ jitsiConfig: { widgets: { jitsi_domains: [ALLOWED] } } });
    context = await pages.browser.newContext();
    // Every request leaving our two test origins is recorded and answered here: nothing reaches the network.
    await context.route((url) => !url.host.endsWith(new URL(pages.hostOrigin).port) || !["127.0.0.1", "localhost"].includes(url.hostname), async (route) => {
      external.push(route.request().url());
      if (route.request().url() === `https://${ALLOWED}/external_api.js`) await route.fulfill({ contentType: "text/javascript", body: STAND_IN });
      else await route.abort();
    });
  });
  after(async () => {
    await context?.close();
    await pages?.stop();
  });

  async function openMeeting(domain: string, isAudioOnly: boolean): Promise<{ page: Page; frame: Frame }> {
    const content = { type: "jitsi", url: "https://app.element.io/jitsi.html#whatever", name: "Jitsi", data: { conferenceId: "JitsiQabcdefghijklmnopqrstuvw", roomName: "Voirie", isAudioOnly, isVideoChannel: false, domain } };
    const page = await context.newPage();
    const hash = new URLSearchParams({ mode: "offline", user: "@anne:ville-a.fr", room: "!r:ville-a.fr", wid: "jitsi1", widget: JSON.stringify(content), name: "Anne Martin", avatar: "https://hs.ville-a.fr/avatar.png", widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    await page.locator("#approve").click(); // always-on-screen, asked by the wrapper
    const frame = await waitFor("the wrapper frame", () => page.frames().find((f) => f.url().includes("/widgets/jitsi/")));
    return { page, frame };
  }

  it("constructs the meeting with our options, follows participants, hangs up, leaves always-on-screen", async () => {
    const { page, frame } = await openMeeting(ALLOWED, true);
    await frame.locator("#join").click();
    const record = () => frame.evaluate(() => (globalThis as unknown as { __jitsi?: { constructed: Array<{ domain: string; options: Record<string, any>; hasParentNode: boolean }>; commands: unknown[][]; disposed: number } }).__jitsi);
    const built = await waitFor("JitsiMeetExternalAPI constructed", async () => (await record())?.constructed[0]);
    assert.equal(built.domain, ALLOWED);
    assert.equal(built.hasParentNode, true);
    assert.equal(built.options["roomName"], "JitsiQabcdefghijklmnopqrstuvw");
    assert.equal(built.options["lang"], "fr");
    assert.deepEqual(built.options["userInfo"], { displayName: "Anne Martin" });
    assert.equal(built.options["configOverwrite"]["startAudioOnly"], true);
    assert.equal(built.options["configOverwrite"]["defaultLanguage"], "fr");
    assert.equal(built.options["configOverwrite"]["subject"], "Voirie");
    assert.deepEqual((await record())?.commands, [["avatarUrl", "https://hs.ville-a.fr/avatar.png"]]);

    await frame.evaluate(() => {
      const emit = (globalThis as unknown as { __jitsiEmit: (e: string, p: unknown) => void }).__jitsiEmit;
      emit("videoConferenceJoined", { id: "me", displayName: "Anne Martin", roomName: "x" });
      emit("participantJoined", { id: "p2", displayName: "Bruno Petit" });
      emit("participantJoined", { id: "p3", displayName: "Chloé" });
      emit("participantLeft", { id: "p3" });
    });
    await waitFor("participants listed", async () => ((await frame.locator("#participants li").allTextContents()).join("|") === "Anne Martin|Bruno Petit" ? true : undefined));
    await waitFor("host told always-on-screen", async () => ((await page.evaluate(() => (globalThis as any).__host.alwaysOnScreen)) === true ? true : undefined));

    await frame.locator("#hangup").click();
    assert.deepEqual((await record())?.commands.at(-1), ["hangup"]);
    await frame.locator("[data-state=ended]").waitFor();
    assert.equal((await record())?.disposed, 1);
    await waitFor("host told always-on-screen ended", async () => ((await page.evaluate(() => (globalThis as any).__host.alwaysOnScreen)) === false ? true : undefined));
    assert.deepEqual(external, [`https://${ALLOWED}/external_api.js`], "only the allow-listed script was requested");
    await page.close();
  });

  it("refuses a domain off the allow-list: refusal shown, nothing requested from it", async () => {
    external.length = 0;
    const { page, frame } = await openMeeting("meet.evil.test", false);
    const text = await frame.locator("[data-state=refused]").textContent();
    assert.match(text ?? "", /meet\.evil\.test ne figure pas parmi les serveurs/);
    assert.equal(await frame.locator("#join").count(), 0, "no join button");
    assert.equal(await frame.locator("script[src*='external_api']").count(), 0);
    assert.deepEqual(external, [], "no request left for any other host");
    await page.close();
  });

  it("malformed Jitsi state: the host refuses it and creates no frame", async () => {
    const page = await context.newPage();
    const hash = new URLSearchParams({ mode: "offline", user: "@anne:ville-a.fr", room: "!r:ville-a.fr", wid: "jitsi2", widget: JSON.stringify({ type: "jitsi", url: "https://x/", data: { domain: "evil.test/path", conferenceId: "c" } }), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    assert.match((await page.locator("#refusal").textContent()) ?? "", /domaine Jitsi manquant ou invalide/);
    assert.equal(page.frames().length, 1, "no iframe");
    await page.close();
  });
});
