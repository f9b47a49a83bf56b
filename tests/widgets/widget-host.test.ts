// Our client's widget hosting in Chromium, both sides real: the test host page runs matrix-js-sdk
// on a test council with our WidgetDriver (core/widgets) and consent dialogs (ui/widgets); the
// test widget is built on our kit. Capability request and approval dialog, send and read events,
// a capability never requested is refused with nothing sent, always-on-screen, and an OpenID
// token given after consent and verified against the council's federation openid/userinfo.
import assert from "node:assert/strict";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";

const COUNCIL = "widgets.test";

describe("widget hosting: our driver hosts a kit widget against a real homeserver", function () {
  this.timeout(240_000);
  let fed: TestFederation;
  let pages: WidgetPages;
  before(async () => {
    fed = await startFederation([COUNCIL]);
    pages = await startWidgetPages({ jitsiConfig: {} });
  });
  after(async () => {
    await pages?.stop();
    await fed?.stop();
  });

  const userinfo = (token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const c = fed.get(COUNCIL);
    return new Promise((resolve, reject) => {
      const req = request({ host: "localhost", port: c.hs!.federationPort, path: `/_matrix/federation/v1/openid/userinfo?access_token=${enc(token)}`, ca: readFileSync(c.config.federation.extraCaPath!) }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on("error", reject);
      req.end();
    });
  };

  it("asks, approves, sends and reads events, refuses what was not granted, gives a verified OpenID token after consent", async () => {
    const url = fed.get(COUNCIL).url;
    const anne = await registerUser(url, "anne");
    const { room_id: roomId } = await call<{ room_id: string }>(url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Voirie" });
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/test-widget.html?u=$matrix_user_id`, name: "Widget de test" };
    const page = await pages.browser.newPage();
    const hash = new URLSearchParams({ mode: "sdk", hs: url, token: anne.accessToken, user: anne.userId, device: anne.deviceId, room: roomId, wid: "testwidget", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);

    const labels = await page.locator("entente-widget-consent label").allTextContents().then(async (l) => (l.length > 0 ? l : (await page.locator("#approve").waitFor(), page.locator("entente-widget-consent label").allTextContents())));
    assert.deepEqual(labels.map((l) => l.trim()), [
      "Envoyer des événements « fr.entente.test » dans ce salon",
      "Lire des événements « fr.entente.test » dans ce salon",
      "Rester visible en petit quand vous changez de salon",
    ]);
    await page.locator("#approve").click();
    await page.locator("#openid-allow").click();

    const frame = await waitFor("the widget frame", () => page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/fixtures/test-widget.html`)));
    assert.equal(new URL(frame.url()).searchParams.get("u"), anne.userId, `template expanded: ${frame.url()}`);
    const text = await waitFor("the widget's result", async () => ((await frame.locator("#result").textContent()) || undefined), 60_000);
    const result = JSON.parse(text) as { granted: string[]; sentId: string; read: string[]; forbidden: string; alwaysOnScreen: boolean; openid: { token: string; server: string } };
    assert.equal(result.granted.length, 3);
    assert.match(result.sentId, /^\$/);
    assert.deepEqual(result.read, ["depuis le widget"]);
    assert.match(result.forbidden, /^refused/);
    assert.equal(result.alwaysOnScreen, true);
    assert.equal(await page.evaluate(() => (globalThis as any).__host.alwaysOnScreen), true);
    assert.equal(result.openid.server, COUNCIL);

    const info = await userinfo(result.openid.token);
    assert.deepEqual([info.status, info.body["sub"]], [200, anne.userId], "the homeserver vouches for the token");

    const messages = await call<{ chunk: Array<{ type: string; event_id: string; content: Record<string, unknown> }> }>(url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    const ours = messages.chunk.filter((e) => e.type.startsWith("fr.entente."));
    assert.deepEqual(ours.map((e) => [e.type, e.event_id, e.content["text"]]), [["fr.entente.test", result.sentId, "depuis le widget"]], "the forbidden type was never sent");
    await page.close();
  });
});
