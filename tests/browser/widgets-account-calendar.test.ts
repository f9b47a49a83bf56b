// Widgets in the real web client (Chromium), the parts issue 12 added last: account widgets
// ("Mes widgets": m.widgets account data in Element's shape, added/removed by the agent, launched
// in the side panel and maximised, the capability approval remembered per widget), a calendar
// event card (fr.entente.event with `video`) whose "Rejoindre la réunion" adds the meeting's Jitsi
// widget under the id every client derives and opens it, the time shown in the agent's m.tz, and
// the widget panel, consent dialog and our Jitsi wrapper in English. One real council; no Jitsi
// server: external_api.js is the contract test's stand-in (tests/widgets/fixtures).
import assert from "node:assert/strict";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { PASSWORD } from "../harness/client-pages.ts";
import { startWidgetPages, type WidgetPages } from "../widgets/widget-pages.ts";
import { openClientWithWidgets } from "../widgets/widget-client.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import type { ServedClient } from "../../client/scripts/serve-client.ts";
import { elementJitsiContent, jitsiShapeDifferences } from "../../widgets/jitsi/src/element-jitsi-reference.ts";
import { buildEventRoot } from "../../appservices/protocol/src/calendar/calendar-root.ts";
import { buildEventUpdate } from "../../appservices/protocol/src/calendar/calendar-update.ts";
import { eventMeetingIds } from "../../appservices/protocol/src/calendar/calendar-video.ts";

const ALLOWED = "meet.allowed.test";
const WIDGETS = "im.vector.modular.widgets";
const UID = "commission-travaux-2026@ville-a.fr";
type User = { userId: string; accessToken: string; deviceId: string };
type StateEvent = { type: string; state_key: string; content: Record<string, unknown> };

describe("web client: account widgets, calendar event meetings, widgets in English", function () {
  this.timeout(300_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  let web: ServedClient;
  let context: BrowserContext;
  let page: Page;
  let anne: User;
  let room = "";
  let rootId = "";
  let brunoRoom = "";
  let txn = 0;
  const external: string[] = [];

  const accountWidgets = async (): Promise<Record<string, unknown>> => {
    try {
      return await call(hs.url, anne, "GET", `/_matrix/client/v3/user/${enc(anne.userId)}/account_data/m.widgets`);
    } catch {
      return {};
    }
  };
  const roomWidgets = async (): Promise<StateEvent[]> =>
    (await call<StateEvent[]>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(room)}/state`)).filter((e) => e.type === WIDGETS && Object.keys(e.content).length > 0);
  const send = (content: Record<string, unknown>): Promise<{ event_id: string }> =>
    call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/t${++txn}`, content);
  const frameOf = (part: string): Promise<Frame> => waitFor(`the frame ${part}`, () => page.frames().find((f) => f.url().includes(part)), 30_000);
  const consentOpen = (): Promise<number> => page.locator("entente-widget-consent dialog[open]").count();

  before(async () => {
    const dist = await ensureClientBuild();
    pages = await startWidgetPages({ jitsiConfig: { widgets: { jitsi_domains: [ALLOWED] } } });
    hs = await startTestHomeserver();
    anne = await registerUser(hs.url, "anne", PASSWORD);
    const serverName = anne.userId.split(":")[1] ?? "";
    // The agent works from French Guiana: the card must show the time there, not in Paris.
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/profile/${enc(anne.userId)}/m.tz`, { "m.tz": "America/Cayenne" });
    room = (await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Commission" })).room_id;
    const anchor = await send({ msgtype: "m.notice", body: "Agenda de la commission" });
    rootId = (await send(buildEventRoot({
      anchor: anchor.event_id, uid: UID,
      fields: {
        summary: "Commission travaux", location: "Mairie annexe", video: { kind: "jitsi" },
        calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T180000" }, dtend: { tzid: "Europe/Paris", value: "20261201T200000" } }, overrides: [] },
      },
    }))).event_id;
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(room)}/state/${WIDGETS}/direct`, { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/live-widget.html`, name: "Direct", data: {} });
    // Bruno's room, where Anne is a plain member: his event asks for a meeting nobody added yet.
    const bruno = await registerUser(hs.url, "bruno", PASSWORD);
    brunoRoom = (await call<{ room_id: string }>(hs.url, bruno, "POST", "/_matrix/client/v3/createRoom", { name: "Chez Bruno", invite: [anne.userId] })).room_id;
    await call(hs.url, anne, "POST", `/_matrix/client/v3/rooms/${enc(brunoRoom)}/join`, {});
    const brunoAnchor = await call<{ event_id: string }>(hs.url, bruno, "PUT", `/_matrix/client/v3/rooms/${enc(brunoRoom)}/send/m.room.message/b1`, { msgtype: "m.notice", body: "Agenda" });
    await call(hs.url, bruno, "PUT", `/_matrix/client/v3/rooms/${enc(brunoRoom)}/send/m.room.message/b2`, buildEventRoot({
      anchor: brunoAnchor.event_id, uid: "point-bruno@ville-a.fr",
      fields: { summary: "Point voirie", video: { kind: "jitsi" }, calendar: { series: { dtstart: { date: "20261202" }, dtend: { date: "20261203" } }, overrides: [] } },
    }));
    // An account widget written the way Element writes it (WidgetUtils.setUserWidget).
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/user/${enc(anne.userId)}/account_data/m.widgets`, {
      elementwidget: { content: { id: "elementwidget", type: "m.custom", url: "https://pad.example/", name: "Pad d'Element", data: {}, creatorUserId: anne.userId }, sender: anne.userId, state_key: "elementwidget", type: "m.widget", id: "elementwidget" },
    });
    ({ web, context, page } = await openClientWithWidgets({ dist, pages, hsUrl: hs.url, serverName, allowed: ALLOWED, user: "anne", external }));
  });
  screenshotOnFailure("widgets-account-calendar", () => page);
  after(async () => {
    await context?.close();
    await web?.close();
    await pages?.stop();
    await hs?.stop();
  });

  it("lists, adds, launches (panel and maximised), remembers the approval of, and removes account widgets", async () => {
    await page.getByRole("button", { name: "Mes widgets" }).click();
    const panel = page.locator("#my-widgets-panel");
    await panel.locator('li[data-widget-id="elementwidget"]', { hasText: "Pad d'Element" }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await seriousA11yViolations(page), [], "axe-core with 'Mes widgets' open");

    await panel.getByLabel("Nom du widget").fill("Notes en direct");
    await panel.getByLabel("Adresse (https)").fill(`${pages.widgetsOrigin}/fixtures/live-widget.html`);
    await panel.getByRole("button", { name: "Ajouter à mes widgets" }).click();
    const [id, entry] = await waitFor("the account widget on the server", async () =>
      Object.entries(await accountWidgets()).find(([, v]) => (v as { content?: { name?: string } }).content?.name === "Notes en direct"));
    assert.match(id, /^[A-Za-z0-9]{24}$/);
    assert.deepEqual(entry, {
      content: { id, type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/live-widget.html`, name: "Notes en direct", data: {}, creatorUserId: anne.userId },
      sender: anne.userId, state_key: id, type: "m.widget", id,
    }, "Element's m.widgets shape");
    assert.ok((await accountWidgets())["elementwidget"] !== undefined, "Element's widget kept");

    await panel.getByRole("button", { name: "Ouvrir Notes en direct", exact: true }).click({ timeout: 30_000 }); // named: one « Ouvrir » per widget
    await page.locator("#approve").click({ timeout: 30_000 });
    let frame = await frameOf("/fixtures/live-widget.html");
    await frame.locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });
    await page.locator("#my-stage entente-widget-frame #maximise").click();
    await page.locator("#my-stage entente-widget-frame[maximised]").waitFor();
    await page.locator("#my-stage entente-widget-frame #close").click();
    await waitFor("the frame closed", () => (page.frames().some((f) => f.url().includes("/fixtures/live-widget.html")) ? undefined : true));

    // Launched again: the approval is remembered for this widget, no dialog.
    await panel.locator(`li[data-widget-id="${id}"] .open`).click();
    frame = await frameOf("/fixtures/live-widget.html");
    await frame.locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });
    assert.equal(await consentOpen(), 0, "not asked twice");

    await panel.getByRole("button", { name: "Retirer Notes en direct" }).click();
    await waitFor("removed from the account data", async () => ((await accountWidgets())[id] === undefined ? true : undefined));
    await panel.locator(`li[data-widget-id="${id}"]`).waitFor({ state: "detached", timeout: 30_000 });
    await waitFor("its frame closed", () => (page.frames().some((f) => f.url().includes("/fixtures/live-widget.html")) ? undefined : true));
    await page.locator("#my-widgets-close").click();
  });

  it("shows a calendar event in the agent's m.tz; its button adds the meeting under the derived id and opens it", async () => {
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/room/${encodeURIComponent(room)}`);
    const card = page.locator("ent-calendar-event");
    await card.getByText("Commission travaux").waitFor({ timeout: 30_000 });
    await waitFor("the time in America/Cayenne (UTC-3)", async () => ((await card.locator(".when").textContent())?.includes("14:00 – 16:00") === true ? true : undefined), 30_000);
    assert.match((await card.locator(".when").textContent()) ?? "", /mardi 1 décembre 2026/);
    assert.equal(await card.locator(".where").textContent(), "Mairie annexe");
    assert.deepEqual(await seriousA11yViolations(page), [], "axe-core with the event card");

    await card.getByRole("button", { name: "Rejoindre la réunion" }).click();
    const ids = eventMeetingIds(UID);
    const widget = await waitFor("the meeting's widget in the room", async () => (await roomWidgets()).find((e) => e.state_key === ids.widgetId));
    assert.deepEqual(jitsiShapeDifferences(widget.content, elementJitsiContent(`${pages.widgetsOrigin}/widgets/jitsi/index.html`, ids.conferenceId, "Commission travaux", false, ALLOWED, "Visio : Commission travaux")), []);
    await page.locator("#approve").click({ timeout: 30_000 }); // always-on-screen, asked by the wrapper
    const jitsi = await frameOf(ids.conferenceId);
    await jitsi.locator("#join", { hasText: "Rejoindre la réunion" }).waitFor({ timeout: 30_000 });

    // A second click opens the same widget, writes nothing new.
    await card.getByRole("button", { name: "Rejoindre la réunion" }).click();
    assert.equal((await roomWidgets()).filter((e) => e.content["type"] === "jitsi").length, 1);
  });

  it("speaks English: widget panel, consent dialog, capability labels, our Jitsi wrapper", async () => {
    await page.locator("#widgets-close").click();
    await waitFor("the meeting frame closed", () => (page.frames().some((f) => f.url().includes("/widgets/jitsi/")) ? undefined : true));
    await page.getByLabel("Langue").selectOption("en");
    await page.getByRole("button", { name: "My widgets" }).waitFor();
    await page.getByRole("button", { name: "Widgets (2)" }).click();
    const panel = page.locator("#widgets-panel");
    await panel.getByRole("heading", { name: "Room widgets" }).waitFor();
    await panel.getByRole("button", { name: "Remove Direct" }).waitFor();
    // The panel opens again on the meeting it showed last: its add form is folded under the frame.
    await panel.locator("#widget-add-more summary", { hasText: "Add a widget" }).click();
    await panel.getByRole("button", { name: "Add to the room" }).waitFor();
    const card = page.locator("ent-calendar-event");
    await card.getByRole("button", { name: "Join the meeting" }).waitFor();
    assert.match((await card.locator(".when").textContent()) ?? "", /^Tuesday,? 1 December 2026 at 14:00 – 16:00$/);

    await panel.getByRole("button", { name: "Open Direct", exact: true }).click();
    const dialog = page.locator("entente-widget-consent dialog[open]");
    await dialog.getByRole("heading", { name: "Allow \u201cDirect\u201d?" }).waitFor({ timeout: 30_000 });
    assert.equal((await dialog.locator("label").allTextContents()).map((s) => s.trim()).join("|"), "Read \u201cfr.entente.test\u201d events in this room");
    // The raw identifier stays visible for the IT lead, as the checkbox's description.
    assert.equal((await dialog.locator(".raw").allTextContents()).join("|"), "Technical identifier: org.matrix.msc2762.receive.event:fr.entente.test");
    assert.equal(await dialog.getByRole("checkbox").getAttribute("aria-describedby"), await dialog.locator(".raw").getAttribute("id"));
    await dialog.getByRole("button", { name: "Allow the selection" }).click();
    await (await frameOf("/fixtures/live-widget.html")).locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });

    await page.locator("#join-meeting", { hasText: "Join the meeting" }).click();
    const jitsi = await frameOf(eventMeetingIds(UID).conferenceId);
    assert.equal(new URLSearchParams(new URL(jitsi.url()).hash.slice(1)).get("language"), "en");
    await jitsi.locator("#join", { hasText: "Join the meeting" }).waitFor({ timeout: 30_000 });
    assert.deepEqual(external, [], "no Jitsi code loaded: nobody joined");
  });

  it("follows the event's updates: moved, then cancelled (no join button any more)", async () => {
    const update = (content: Record<string, unknown>): Promise<unknown> =>
      call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(room)}/send/fr.entente.event.update/t${++txn}`, content);
    const card = page.locator("ent-calendar-event");
    await update(buildEventUpdate({ root: rootId, clock: 1, set: { calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T190000" }, dtend: { tzid: "Europe/Paris", value: "20261201T210000" } }, overrides: [] } } }));
    await waitFor("the moved time on the card", async () => ((await card.locator(".when").textContent())?.includes("15:00 – 17:00") === true ? true : undefined), 30_000);
    await update(buildEventUpdate({ root: rootId, clock: 2, cancel: true }));
    await card.getByText("Cancelled:").waitFor({ timeout: 30_000 });
    assert.equal(await card.getByRole("button", { name: "Join the meeting" }).count(), 0);
  });

  it("without the power level, the card's button explains instead of adding a meeting", async () => {
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/room/${encodeURIComponent(brunoRoom)}`);
    const card = page.locator("ent-calendar-event", { hasText: "Point voirie" });
    await card.locator(".when", { hasText: /^Wednesday,? 2 December 2026 \(all day\)$/ }).waitFor({ timeout: 30_000 });
    await card.getByRole("button", { name: "Join the meeting" }).click();
    await page.locator("#widgets-panel [role=status]", { hasText: "your role does not allow adding it" }).waitFor({ timeout: 30_000 });
    const state = await call<StateEvent[]>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(brunoRoom)}/state`);
    assert.equal(state.filter((e) => e.type === WIDGETS).length, 0, "nothing written");
  });
});
