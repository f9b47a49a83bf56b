// A widget must be fed the events it (or the agent, in the client) just sent, exactly once, with
// their real ids, decrypted in an encrypted room: our client's live feed
// (client/src/core/widgets/matrix-client-port.ts, onLiveEvent) in Chromium, over matrix-js-sdk
// with Rust crypto in the page. The widget host page runs the SDK with its default (chronological)
// pending-event ordering, where a local echo sits in the timeline under a temporary id and the
// remote echo only renames it; the real client (detached ordering) is checked in
// tests/browser/tasks-board-client.test.ts.
import assert from "node:assert/strict";
import type { Frame } from "playwright-core";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";

describe("widget live feed: the widget's and the agent's own events", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  before(async () => {
    [hs, pages] = await Promise.all([startTestHomeserver(), startWidgetPages({ jitsiConfig: {} })]);
  });
  after(async () => {
    await pages?.stop();
    await hs?.stop();
  });

  it("feeds each own event once, real id, decrypted (encrypted room, chronological ordering)", async () => {
    const [claire, anne] = [await registerUser(hs.url, "claire"), await registerUser(hs.url, "anne")];
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, claire, "POST", "/_matrix/client/v3/createRoom", {
      name: "Voirie", invite: [anne.userId], initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await call(hs.url, anne, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    const page = await pages.browser.newPage();
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/echo-widget.html`, name: "Écho" };
    const hash = new URLSearchParams({ mode: "sdk", crypto: "1", live: "1", hs: hs.url, token: claire.accessToken, user: claire.userId, device: claire.deviceId, room: roomId, wid: "echo", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    await page.locator("#approve").click({ timeout: 60_000 });
    const frame: Frame = await waitFor("the echo widget", () => page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/fixtures/echo-widget.html`)), 30_000);
    await frame.locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });

    await frame.locator("#send").click();
    const widgetId = await waitFor("the widget's event id", async () => ((await frame.locator("#sent").textContent()) ?? "").trim() || undefined);
    const agentId = await page.evaluate(() => (globalThis as unknown as { __host: { sendAsAgent(t: string, c: unknown): Promise<string> } }).__host.sendAsAgent("m.room.message", { msgtype: "m.text", body: "de l'agent" }));
    // A marker from someone else, after both: once it is in, both remote echoes came before it.
    const marker = await call<{ event_id: string }>(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/fr.entente.test/m1`, { text: "marqueur" });
    await frame.locator("#received li", { hasText: "marqueur" }).waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nreceived: ${JSON.stringify(await frame.locator("#received li").allTextContents())}`);
    });
    assert.deepEqual(await frame.locator("#received li").allTextContents(), [
      `fr.entente.test|${widgetId}|du widget 1`,
      `m.room.message|${agentId}|de l'agent`,
      `fr.entente.test|${marker.event_id}|marqueur`,
    ]);
    const raw = await call<{ type: string }>(hs.url, claire, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(widgetId)}`);
    assert.equal(raw.type, "m.room.encrypted", "the widget's event was sent encrypted");
    await page.close();
  });
});
