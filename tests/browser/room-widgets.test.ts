// Widgets in the real web client (Chromium): the room header's slot and side panel. A Jitsi widget
// written by plain matrix-js-sdk in Element's exact shape opens with our wrapper; the meeting
// keeps running in the small view when the agent opens another room (same frame, not reloaded);
// "Démarrer une réunion" writes Element's exact shape (compared field by field on the wire) and
// posts the link; widgets added and removed from the panel, not offered without the power level;
// live events pushed to a running widget, only the types it was granted. No Jitsi server runs
// here: external_api.js is the contract test's stand-in (tests/widgets/fixtures).
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import "../harness/matrix-client.ts"; // quiets matrix-js-sdk's request log
import type { BrowserContext, Frame, Page } from "playwright-core";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { screenshotOnFailure } from "../harness/browser.ts";
import { PASSWORD } from "../harness/client-pages.ts";
import { startWidgetPages, type WidgetPages } from "../widgets/widget-pages.ts";
import { openClientWithWidgets } from "../widgets/widget-client.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import type { ServedClient } from "../../client/scripts/serve-client.ts";
import { elementJitsiContent, jitsiShapeDifferences } from "../../widgets/jitsi/src/element-jitsi-reference.ts";

const ALLOWED = "meet.allowed.test";
const WIDGETS = "im.vector.modular.widgets";
type Untyped = (roomId: string, type: string, content: Record<string, unknown>, stateKey?: string) => Promise<{ event_id: string }>;
type StateEvent = { type: string; state_key: string; content: Record<string, unknown> };
type JitsiRecord = { constructed: unknown[] } | undefined;

describe("web client: room widgets, meetings and live events", function () {
  this.timeout(300_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  let web: ServedClient;
  let context: BrowserContext;
  let page: Page;
  let anne: { userId: string; accessToken: string; deviceId: string };
  let bruno: { userId: string; accessToken: string; deviceId: string };
  let anneSdk: sdk.MatrixClient;
  let brunoSdk: sdk.MatrixClient;
  const rooms: Record<"voirie" | "conseil" | "bruno", string> = { voirie: "", conseil: "", bruno: "" };
  const external: string[] = [];

  const state = (roomId: string): Promise<StateEvent[]> => call<StateEvent[]>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`);
  const widgetsOf = async (roomId: string): Promise<StateEvent[]> => (await state(roomId)).filter((e) => e.type === WIDGETS && Object.keys(e.content).length > 0);
  const openRoom = async (roomId: string): Promise<void> => {
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/room/${encodeURIComponent(roomId)}`);
    await page.locator("ent-room-widgets #widgets-toggle").waitFor({ timeout: 30_000 });
  };
  const jitsiFrame = (confId: string): Promise<Frame> => waitFor(`the Jitsi wrapper for ${confId}`, () => page.frames().find((f) => f.url().includes("/widgets/jitsi/") && f.url().includes(confId)), 30_000);

  before(async () => {
    // The two Vite builds one after the other: concurrent builds in one process are not reliable.
    const dist = await ensureClientBuild();
    pages = await startWidgetPages({ jitsiConfig: { widgets: { jitsi_domains: [ALLOWED] } } });
    hs = await startTestHomeserver();
    const step = (m: string): void => void (process.env["WID_DEBUG"] !== undefined && console.error(new Date().toISOString(), m));
    step("built");
    anne = await registerUser(hs.url, "anne", PASSWORD);
    bruno = await registerUser(hs.url, "bruno", PASSWORD);
    step("registered");
    const serverName = anne.userId.split(":")[1] ?? "";
    anneSdk = sdk.createClient({ baseUrl: hs.url, userId: anne.userId, accessToken: anne.accessToken, deviceId: anne.deviceId });
    brunoSdk = sdk.createClient({ baseUrl: hs.url, userId: bruno.userId, accessToken: bruno.accessToken, deviceId: bruno.deviceId });
    rooms.voirie = (await anneSdk.createRoom({ name: "Voirie", invite: [bruno.userId] })).room_id;
    await call(hs.url, bruno, "POST", `/_matrix/client/v3/rooms/${enc(rooms.voirie)}/join`, {});
    step("voirie");
    rooms.conseil = (await anneSdk.createRoom({ name: "Conseil" })).room_id;
    rooms.bruno = (await brunoSdk.createRoom({ name: "Chez Bruno", invite: [anne.userId] })).room_id;
    await call(hs.url, anne, "POST", `/_matrix/client/v3/rooms/${enc(rooms.bruno)}/join`, {});
    // Element's exact Jitsi widget, written by plain matrix-js-sdk (Element's wrapper URL: ignored by us).
    const sendState = anneSdk.sendStateEvent.bind(anneSdk) as unknown as (r: string, t: string, c: Record<string, unknown>, k: string) => Promise<unknown>;
    await sendState(rooms.voirie, WIDGETS, elementJitsiContent("https://app.element.io/jitsi.html", "JitsiQabcdefghijklmnopqrstuvw", "Voirie", false, ALLOWED), "elementjitsiwidget0000000");
    await sendState(rooms.voirie, WIDGETS, { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/live-widget.html`, name: "Direct", data: {} }, "livewidget");
    step("rooms ready");
    step("signing in");
    ({ web, context, page } = await openClientWithWidgets({ dist, pages, hsUrl: hs.url, serverName, allowed: ALLOWED, user: "anne", external }));
  });
  screenshotOnFailure("room-widgets", () => page);
  after(async () => {
    await context?.close();
    await web?.close();
    await pages?.stop();
    await hs?.stop();
  });

  it("opens Element's Jitsi widget with our wrapper; the meeting stays on screen, same frame, in another room", async () => {
    await openRoom(rooms.voirie);
    await page.getByRole("button", { name: "Rejoindre la réunion" }).click();
    await page.locator("#approve").click({ timeout: 30_000 }); // always-on-screen, asked by the wrapper
    const frame = await jitsiFrame("JitsiQabcdefghijklmnopqrstuvw");
    const fragment = new URLSearchParams(new URL(frame.url()).hash.slice(1));
    assert.equal(new URL(frame.url()).origin, pages.widgetsOrigin, "our wrapper, not Element's URL");
    assert.deepEqual([fragment.get("conferenceDomain"), fragment.get("roomName"), fragment.get("userId")], [ALLOWED, "Voirie", anne.userId]);
    await frame.locator("#join").click();
    const record = (): Promise<JitsiRecord> => frame.evaluate(() => (globalThis as unknown as { __jitsi?: JitsiRecord }).__jitsi);
    await waitFor("the meeting constructed", async () => ((await record())?.constructed.length === 1 ? true : undefined));
    await frame.evaluate(() => (globalThis as unknown as { __jitsiEmit: (e: string, p: unknown) => void }).__jitsiEmit("videoConferenceJoined", { id: "me", displayName: "anne" }));
    await page.locator("entente-widget-frame[always-on-screen]").waitFor();

    await openRoom(rooms.conseil);
    await page.locator("entente-widget-frame[pip]").waitFor();
    assert.equal(frame.isDetached(), false, "the meeting frame was not reloaded");
    assert.equal((await record())?.constructed.length, 1, "still the first meeting");
    assert.equal(await page.locator("entente-widget-frame").count(), 1);

    await page.locator("entente-widget-frame #return").click();
    await waitFor("back in Voirie", async () => ((await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).includes(encodeURIComponent(rooms.voirie)) ? true : undefined));
    await waitFor("shown in the panel again", async () => ((await page.locator("entente-widget-frame[pip]").count()) === 0 ? true : undefined));
    assert.equal((await record())?.constructed.length, 1);
    assert.deepEqual(external, [`https://${ALLOWED}/external_api.js`], "only the allow-listed script was requested");
  });

  it("pushes live events to a running widget, only the types it was granted", async () => {
    await openRoom(rooms.voirie);
    if ((await page.locator("#widgets-panel").count()) === 0) await page.locator("#widgets-toggle").click();
    await page.locator("#widgets-panel").getByRole("button", { name: "Ouvrir Direct", exact: true }).click(); // named: one « Ouvrir » per widget
    await page.locator("#approve").click({ timeout: 30_000 });
    const frame = await waitFor("the live widget", () => page.frames().find((f) => f.url().includes("/fixtures/live-widget.html")), 30_000);
    await frame.locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });
    const send = brunoSdk.sendEvent.bind(brunoSdk) as unknown as Untyped;
    await send(rooms.voirie, "fr.entente.other", { text: "pas pour toi" });
    await send(rooms.voirie, "m.room.message", { msgtype: "m.text", body: "pas pour toi non plus" });
    await send(rooms.voirie, "fr.entente.test", { text: "en direct" });
    await frame.locator("#received li", { hasText: "en direct" }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await frame.locator("#received li").allTextContents(), ["fr.entente.test: en direct"]);
    assert.equal(await page.locator("entente-widget-frame[pip]").count(), 1, "the meeting went small, still running");
    // Two frames on screen: each one's buttons say which widget they act on.
    await page.getByRole("button", { name: "Agrandir Direct", exact: true }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Agrandir Direct", exact: true }).evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopLeftRadius: string } }).getComputedStyle(b).borderTopLeftRadius), "6px", "the client's buttons (theme, focus ring), not the browser's");
    assert.equal(await page.locator("entente-widget-frame[pip]").getByRole("button", { name: /^Agrandir .+/ }).count(), 1, "the small meeting's button named too");
  });

  it("starts a meeting in Element's exact shape with a message; adds and removes widgets", async () => {
    await openRoom(rooms.conseil);
    await page.getByRole("button", { name: "Démarrer une réunion" }).click();
    const meeting = await waitFor("the Jitsi widget state", async () => (await widgetsOf(rooms.conseil))[0]);
    const confId = String((meeting.content["data"] as Record<string, unknown>)["conferenceId"]);
    assert.deepEqual(jitsiShapeDifferences(meeting.content, elementJitsiContent(`${pages.widgetsOrigin}/widgets/jitsi/index.html`, confId, "Conseil", false, ALLOWED)), []);
    assert.match(meeting.state_key, /^[A-Za-z0-9]{24}$/);
    await waitFor("the message with the link", async () => {
      const messages = await call<{ chunk: Array<{ type: string; content: Record<string, unknown> }> }>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(rooms.conseil)}/messages?dir=b&limit=20`);
      return messages.chunk.some((e) => e.type === "m.room.message" && e.content["body"] === `Réunion vidéo démarrée : https://${ALLOWED}/${confId}`) ? true : undefined;
    });
    await page.locator("#approve").click({ timeout: 30_000 });
    await jitsiFrame(confId);
    await page.getByRole("button", { name: "Rejoindre la réunion" }).waitFor();

    // The meeting's frame is open below the panel: the add form is folded behind its title (it was
    // cut off at the frame's edge), opened by keyboard.
    assert.equal(await page.locator("#widget-add-more").getAttribute("open"), null);
    assert.equal(await page.locator("#widget-name").isVisible(), false);
    await page.locator("#widget-add-more summary").focus();
    await page.keyboard.press("Enter");
    await page.locator("#widget-name").fill("Bloc-notes");
    await page.locator("#widget-url").fill("https://pad.example/p?u=$matrix_user_id");
    await page.getByRole("button", { name: "Ajouter au salon" }).click();
    const pad = await waitFor("the added widget", async () => (await widgetsOf(rooms.conseil)).find((e) => e.content["name"] === "Bloc-notes"));
    assert.deepEqual(pad.content, { type: "m.custom", url: "https://pad.example/p?u=$matrix_user_id", name: "Bloc-notes", data: {} });

    // the panel shows the new widget before we act on the list (rows are keyed by widget id)
    await page.getByRole("button", { name: "Retirer Bloc-notes" }).waitFor();
    await page.getByRole("button", { name: "Retirer Jitsi" }).click();
    await waitFor("the meeting removed from the room", async () => ((await widgetsOf(rooms.conseil)).some((e) => e.state_key === meeting.state_key) ? undefined : true));
    await waitFor("its frame closed", () => (page.frames().some((f) => f.url().includes(confId)) ? undefined : true));
    await page.getByRole("button", { name: "Démarrer une réunion" }).waitFor();
  });

  it("offers no adding, removing or new meeting without the power level", async () => {
    await openRoom(rooms.bruno);
    if ((await page.locator("#widgets-panel").count()) === 0) await page.locator("#widgets-toggle").click();
    await page.getByText("Votre rôle dans ce salon ne permet pas d'ajouter ou de retirer des widgets.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Démarrer une réunion" }).count(), 0);
    assert.equal(await page.locator("#widget-add").count(), 0);
    // A widget Bruno adds shows up for Anne, without a remove button.
    const sendState = brunoSdk.sendStateEvent.bind(brunoSdk) as unknown as (r: string, t: string, c: Record<string, unknown>, k: string) => Promise<unknown>;
    await sendState(rooms.bruno, WIDGETS, { type: "m.custom", url: "https://pad.example/", name: "Pad de Bruno", data: {} }, "brunopad");
    await page.locator('#widgets-panel li[data-widget-id="brunopad"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator("#widgets-panel .remove").count(), 0);
  });
});
