// The calendar bot around the sync (issue 14): attendees invited to the room and mentioned,
// the Jitsi widget of a meeting (Element's shape, ids from the UID) with the event's video field
// filled, reminders in the event's thread at the right Europe/Paris time across the October DST
// change (injected clock), once, also across a restart, skipping excepted occurrences and
// cancelled events; the secret ICS feed (admins only, warning and confirmation in an encrypted
// room, revocation = 404), fetched and parsed with ical.js.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ICAL from "ical.js";
import type * as sdk from "matrix-js-sdk";
import { startCalendarBot, type RunningCalendarBot } from "../../appservices/calendar/src/bot/calendar-bot.ts";
import { buildEventRoot, buildEventUpdate, CALENDAR_STATE, type CalendarEventFields } from "../../appservices/calendar/src/protocol.ts";
import { eventMeetingIds } from "../../appservices/protocol/src/calendar/calendar-video.ts";
import { buildJitsiWidgetContent } from "../../widgets/jitsi/src/jitsi-widget.ts";
import type { TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { sendRaw, startFederationWithBot, stopBotSuite } from "../harness/bot-federation.ts";

const BOT = "@entente-calendar:ville-a";
const JITSI = { domain: "meet.ville-a.fr", wrapperUrl: "https://widgets.ville-a.fr/jitsi/index.html" };
const paris = (value: string) => ({ tzid: "Europe/Paris", value });
type Json = Record<string, unknown>;

async function client(url: string, name: string, crypto: boolean): Promise<TestClient> {
  const c = await newClient(url, name);
  if (crypto) await c.client.initRustCrypto({ useIndexedDB: false });
  await startSyncing(c.client);
  return c;
}

describe("calendar bot: invitations, video, reminders, ICS feed", function () {
  this.timeout(180_000);
  let dir: string;
  let fed: TestFederation;
  let alice: TestClient;
  let carol: TestClient;
  let bot: RunningCalendarBot | undefined;
  let registrationPath: string;
  let botPort: number;
  let roomId: string;
  let root = "";
  let now = Date.parse("2026-10-20T12:00:00Z");
  const logs: Json[] = [];

  const start = (): Promise<RunningCalendarBot> => startCalendarBot({
    registrationPath, homeserverUrl: fed.get("ville-a").url, domain: "ville-a", storeDir: join(dir, "calendar-bot"), port: botPort,
    credentials: {}, pollMs: 60_000, keyWaitMs: 10_000, clock: () => now, reminderTickMs: 3_600_000, jitsi: JITSI,
    log: (l) => { logs.push(l); if (process.env["BOT_LOG"]) console.error(JSON.stringify(l)); },
  });
  const timeline = (c: TestClient, room = roomId): sdk.MatrixEvent[] => c.client.getRoom(room)?.getLiveTimeline().getEvents() ?? [];
  const fromBot = (c: TestClient, pred: (content: Json) => boolean, room = roomId): sdk.MatrixEvent[] =>
    timeline(c, room).filter((e) => e.getSender() === BOT && !e.isDecryptionFailure() && pred(e.getContent()));
  const reminders = (): sdk.MatrixEvent[] => fromBot(alice, (c) => c["fr.entente.event.reminder"] !== undefined);
  const newRoom = async (encrypted: boolean): Promise<string> => {
    const id = (await alice.client.createRoom({
      name: encrypted ? "Cellule de crise" : "Commission voirie", invite: [BOT], power_level_content_override: { users: { [BOT]: 50 } },
      ...(encrypted ? { initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }] } : {}),
    })).room_id;
    await waitFor("the calendar state", () => alice.client.getRoom(id)?.currentState.getStateEvents(CALENDAR_STATE, "agenda") ?? undefined, 30_000);
    return id;
  };
  const anchorOf = (room: string): string => String(alice.client.getRoom(room)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["anchor"]);
  const command = async (c: TestClient, room: string, body: string): Promise<sdk.MatrixEvent> => {
    const id = (await c.client.sendTextMessage(room, body)).event_id;
    return waitFor(`the answer to ${body}`, () => fromBot(alice, (x) => ((x["m.relates_to"] as Json | undefined)?.["m.in_reply_to"] as Json | undefined)?.["event_id"] === id, room)[0], 30_000);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-calendar-meetings-"));
    ({ fed, registration: { path: registrationPath, port: botPort } } = await startFederationWithBot(dir, "calendar", ["ville-a"]));
    alice = await client(fed.get("ville-a").url, "alice", true);
    carol = await client(fed.get("ville-a").url, "carol", false);
    bot = await start();
  });
  after(async () => {
    await stopBotSuite({ bots: [bot], clients: [alice, carol], fed, dir });
  });

  it("an attendee outside the room is invited and mentioned; the meeting gets the room's Jitsi widget and its link", async () => {
    roomId = await newRoom(false);
    const fields: Pick<CalendarEventFields, "summary" | "calendar"> & Partial<CalendarEventFields> = {
      summary: "Commission voirie", attendees: [{ id: alice.userId }, { id: carol.userId }], video: { kind: "jitsi" },
      calendar: { series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T200000"), rrule: "FREQ=WEEKLY", exdate: [paris("20261103T180000")] }, overrides: [] },
    };
    const content = buildEventRoot({ anchor: anchorOf(roomId), uid: "commission-voirie@ville-a", fields });
    assert.deepEqual(content["m.mentions"], { user_ids: [alice.userId, carol.userId] });
    root = (await sendRaw(alice, roomId, "m.room.message", content)).event_id;
    await waitFor("carol's invite", () => (carol.client.getRoom(roomId)?.getMyMembership() === "invite" ? true : undefined), 30_000);
    // Carol was mentioned by the root already: the thread notice only says she was invited.
    const notice = await waitFor("the invitation notice", () => fromBot(alice, (c) => c["fr.entente.event.invitation"] !== undefined)[0], 30_000);
    assert.deepEqual(notice.getContent()["fr.entente.event.invitation"], { event: root, users: [alice.userId, carol.userId] });
    assert.equal((notice.getContent()["m.relates_to"] as Json)["event_id"], root);
    // Carol, invited meanwhile, is named by the name her invite carries (review R4: invited members count).
    assert.match(String(notice.getContent()["body"]), /Invitation au salon envoyée à carol\./);
    // Ids derived from the UID (the protocol's formula), content from the Jitsi builder in Element's shape.
    const { conferenceId, widgetId } = eventMeetingIds("commission-voirie@ville-a");
    const meeting = { link: `https://${JITSI.domain}/${conferenceId}`, content: buildJitsiWidgetContent({ wrapperUrl: JITSI.wrapperUrl, domain: JITSI.domain, conferenceId, roomName: "Commission voirie", isAudioOnly: false, name: "Visio : Commission voirie" }) };
    const widget = await waitFor("the Jitsi widget", () => alice.client.getRoom(roomId)?.currentState.getStateEvents("im.vector.modular.widgets", widgetId) ?? undefined, 30_000);
    assert.deepEqual(widget.getContent(), JSON.parse(JSON.stringify(meeting.content)));
    assert.deepEqual(Object.keys(widget.getContent()), ["type", "url", "name", "data"]);
    assert.deepEqual(Object.keys(widget.getContent()["data"] as Json), ["conferenceId", "roomName", "isAudioOnly", "isVideoChannel", "domain"]);
    assert.equal(widget.getContent()["type"], "jitsi");
    assert.match(meeting.link, /^https:\/\/meet\.ville-a\.fr\/Jitsi[A-Z][a-z]{23}$/);
    const update = await waitFor("the video update", () => timeline(alice).find((e) => e.getSender() === BOT && e.getType() === "fr.entente.event.update"), 30_000);
    assert.deepEqual((update.getContent()["set"] as Json)["video"], { kind: "jitsi", url: meeting.link });
    await carol.client.joinRoom(roomId);
  });

  it("without the room's invite level the bot does not invite: the thread notice says a moderator must", async () => {
    const strict = (await alice.client.createRoom({ name: "Bureau", invite: [BOT], power_level_content_override: { invite: 100, users: { [BOT]: 50 } } })).room_id;
    await waitFor("the calendar state", () => alice.client.getRoom(strict)?.currentState.getStateEvents(CALENDAR_STATE, "agenda") ?? undefined, 30_000);
    const dave = await client(fed.get("ville-a").url, "dave", false);
    try {
      const fields = { summary: "Bureau restreint", attendees: [{ id: dave.userId }], calendar: { series: { dtstart: paris("20261105T100000"), dtend: paris("20261105T110000") }, overrides: [] } };
      const r = (await sendRaw(alice, strict, "m.room.message", buildEventRoot({ anchor: anchorOf(strict), uid: "bureau-restreint", fields }))).event_id;
      const notice = await waitFor("the notice", () => fromBot(alice, (c) => c["fr.entente.event.invitation"] !== undefined, strict)[0], 30_000);
      assert.equal((notice.getContent()["m.relates_to"] as Json)["event_id"], r);
      assert.match(String(notice.getContent()["body"]), /Je ne peux pas inviter @dave:ville-a dans le salon \(il faut le niveau 100\) : un modérateur doit le faire\./);
      assert.equal(dave.client.getRoom(strict), null, "dave was not invited");
    } finally {
      dave.client.stopClient();
    }
  });

  it("invites only attendees added by someone who may invite: a member below the invite level cannot bring anyone in through the bot (review R12)", async () => {
    const erin = await client(fed.get("ville-a").url, "erin", false);
    const frank = await client(fed.get("ville-a").url, "frank", false);
    try {
      const room = (await alice.client.createRoom({ name: "Conseil", invite: [BOT, erin.userId], power_level_content_override: { invite: 100, users: { [BOT]: 100 } } })).room_id;
      await waitFor("the calendar state", () => alice.client.getRoom(room)?.currentState.getStateEvents(CALENDAR_STATE, "agenda") ?? undefined, 30_000);
      await waitFor("erin's invite", () => (erin.client.getRoom(room)?.getMyMembership() === "invite" ? true : undefined), 30_000);
      await erin.client.joinRoom(room);
      const anchor = String(alice.client.getRoom(room)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["anchor"]);
      const fields = { summary: "Huis clos", attendees: [{ id: erin.userId }, { id: frank.userId }], calendar: { series: { dtstart: paris("20261106T100000"), dtend: paris("20261106T110000") }, overrides: [] } };
      const r = (await sendRaw(erin, room, "m.room.message", buildEventRoot({ anchor, uid: "huis-clos", fields }))).event_id;
      const notice = await waitFor("the notice", () => fromBot(alice, (c) => (c["fr.entente.event.invitation"] as Json | undefined)?.["event"] === r, room)[0], 30_000);
      assert.match(String(notice.getContent()["body"]), /Je ne peux pas inviter @frank:ville-a dans le salon \(il faut le niveau 100\)/);
      assert.equal(frank.client.getRoom(room), null, "frank was not invited for erin");
      // Alice (the room's creator) adding him: the bot invites.
      const r2 = (await sendRaw(alice, room, "m.room.message", buildEventRoot({ anchor, uid: "huis-clos-2", fields: { ...fields, summary: "Huis clos (2)" } }))).event_id;
      await waitFor("frank's invite for alice's event", () => (frank.client.getRoom(room)?.getMyMembership() === "invite" ? true : undefined), 30_000);
      assert.ok(fromBot(alice, (c) => (c["fr.entente.event.invitation"] as Json | undefined)?.["event"] === r2, room).length <= 1);
    } finally {
      erin.client.stopClient();
      frank.client.stopClient();
    }
  });

  it("!agenda visio auto: a new timed event gets its meeting without asking; an all-day one and older events do not", async () => {
    const older = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor: anchorOf(roomId), uid: "avant-auto", fields: { summary: "Avant", calendar: { series: { dtstart: paris("20261201T090000"), dtend: paris("20261201T100000") }, overrides: [] } } }))).event_id;
    const refused = await command(carol, roomId, "!agenda visio auto");
    assert.match(String(refused.getContent()["body"]), /modérateur/);
    const answer = await command(alice, roomId, "!agenda visio auto");
    assert.match(String(answer.getContent()["body"]), /^Visio automatique activée : chaque nouvel événement avec horaire aura sa réunion Jitsi\.$/, "!agenda: French only");
    // !calendar is English: so is the answer.
    assert.equal((await command(alice, roomId, "!calendar video")).getContent()["body"], "Automatic video: on. Commands: !calendar video auto | manual.");
    await waitFor("auto_video in the binding", () => (alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["auto_video"] === true ? true : undefined), 30_000);
    const timed = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor: anchorOf(roomId), uid: "point-hebdo", fields: { summary: "Point hebdo", calendar: { series: { dtstart: paris("20261202T090000"), dtend: paris("20261202T093000") }, overrides: [] } } }))).event_id;
    const allDay = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor: anchorOf(roomId), uid: "fermeture", fields: { summary: "Fermeture", calendar: { series: { dtstart: { date: "20261224" }, dtend: { date: "20261225" } }, overrides: [] } } }))).event_id;
    const videoOf = (root: string): sdk.MatrixEvent | undefined => timeline(alice).find((e) => e.getSender() === BOT && e.getType() === "fr.entente.event.update" && ((e.getContent()["m.relates_to"] as Json)["event_id"] === root));
    const update = await waitFor("the timed event's meeting", () => videoOf(timed), 30_000);
    const { conferenceId, widgetId } = eventMeetingIds("point-hebdo");
    assert.deepEqual((update.getContent()["set"] as Json)["video"], { kind: "jitsi", url: `https://${JITSI.domain}/${conferenceId}` });
    assert.ok(alice.client.getRoom(roomId)?.currentState.getStateEvents("im.vector.modular.widgets", widgetId));
    await bot?.syncRoom(roomId);
    assert.equal(videoOf(allDay), undefined, "all-day: no meeting");
    assert.equal(videoOf(older), undefined, "created before: no meeting");
    await command(alice, roomId, "!agenda visio manuel");
  });

  it("reminds 15 min before each occurrence at 17:45 Paris across the DST change, once, across a restart; skips excepted and cancelled", async () => {
    // A cancelled event the same evening: never reminded.
    const other = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor: anchorOf(roomId), uid: "annule@ville-a", fields: { summary: "Réunion annulée", calendar: { series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T190000") }, overrides: [] } } }))).event_id;
    await sendRaw(alice, roomId, "fr.entente.event.update", buildEventUpdate({ root: other, clock: 10, cancel: true }));
    await waitFor("the cancellation seen by the bot", () => ([...(bot?.bound.values() ?? [])][0]?.side.fold().events.get(other)?.cancelled === true ? true : undefined), 30_000);
    now = Date.parse("2026-10-20T15:44:00Z");
    assert.equal(await bot?.checkReminders(), 0);
    now = Date.parse("2026-10-20T15:45:00Z"); // 17:45 CEST
    assert.equal(await bot?.checkReminders(), 1);
    assert.equal(await bot?.checkReminders(), 0, "once");
    const first = await waitFor("the first reminder", () => reminders()[0], 30_000);
    assert.equal((first.getContent()["m.relates_to"] as Json)["rel_type"], "m.thread");
    assert.equal((first.getContent()["m.relates_to"] as Json)["event_id"], root);
    assert.deepEqual(first.getContent()["m.mentions"], { user_ids: [alice.userId, carol.userId] });
    assert.match(String(first.getContent()["body"]), /rappel, « Commission voirie » commence dans 15 min — mar\. 20 oct\. 2026, 18:00 \(Europe\/Paris\)/);
    await bot?.stop();
    now = Date.parse("2026-10-20T15:50:00Z");
    bot = await start(); // checks at start: the reminder is known from the room
    assert.equal(await bot.checkReminders(), 0, "not again after a restart");
    assert.equal(logs.filter((l) => l["msg"] === "event reminder sent").length, 1, "the start's own check sent nothing either");
    now = Date.parse("2026-10-27T16:45:00Z"); // 17:45 CET, after the change
    assert.equal(await bot.checkReminders(), 1);
    now = Date.parse("2026-11-03T16:45:00Z"); // excepted occurrence
    assert.equal(await bot.checkReminders(), 0);
    now = Date.parse("2026-11-10T16:44:59Z");
    assert.equal(await bot.checkReminders(), 0);
    now = Date.parse("2026-11-10T16:45:00Z");
    assert.equal(await bot.checkReminders(), 1);
    await waitFor("three reminders", () => (reminders().length === 3 ? true : undefined), 30_000);
    assert.deepEqual(reminders().map((e) => (e.getContent()["fr.entente.event.reminder"] as Json)["occurrence"]),
      ["20261020T180000/Europe/Paris", "20261027T180000/Europe/Paris", "20261110T180000/Europe/Paris"]);
    assert.equal(logs.filter((l) => l["msg"] === "event reminder sent").length, 3);
    assert.equal(logs.filter((l) => l["msg"] === "event reminder sent" && String(l["event"]) === other).length, 0);
  });

  it("ICS feed: admins only; a secret URL serving text/calendar with VTIMEZONE; revoked = 404", async () => {
    const refused = await command(carol, roomId, "!agenda flux activer");
    assert.match(String(refused.getContent()["body"]), /Seuls les administrateurs/);
    const answer = await command(alice, roomId, "!agenda flux activer");
    const url = /(http:\/\/127\.0\.0\.1:\d+\/calendar\/feed\/[A-Za-z0-9_-]+\.ics)/.exec(String(answer.getContent()["body"]))?.[1];
    assert.ok(url, String(answer.getContent()["body"]));
    await waitFor("ics_feed on", () => (alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["ics_feed"] === true ? true : undefined), 30_000);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/calendar; charset=utf-8");
    const cal = new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
    assert.equal(cal.getFirstPropertyValue("x-wr-calname"), "Agenda");
    assert.deepEqual(cal.getAllSubcomponents("vtimezone").map((t) => t.getFirstPropertyValue("tzid")), ["Europe/Paris"]);
    const vevents = cal.getAllSubcomponents("vevent");
    const uids = vevents.map((v) => String(v.getFirstPropertyValue("uid")));
    assert.deepEqual(uids.sort(), ["avant-auto", "commission-voirie@ville-a", "fermeture", "point-hebdo"], "the cancelled event is not in the feed");
    const ev = new ICAL.Event(vevents.find((v) => v.getFirstPropertyValue("uid") === "commission-voirie@ville-a"));
    assert.equal(ev.startDate.toString(), "2026-10-20T18:00:00");
    assert.equal(ev.startDate.zone?.tzid, "Europe/Paris");
    assert.equal((await fetch(url.replace(/feed\/[^.]+/, "feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))).status, 404);
    await command(alice, roomId, "!agenda flux révoquer");
    assert.equal((await fetch(url)).status, 404);
    await waitFor("ics_feed off", () => (alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["ics_feed"] === false ? true : undefined), 30_000);
  });

  it("in an encrypted room, enabling the feed warns first and waits for the admin's confirmation", async () => {
    const secret = await newRoom(true);
    const warning = await command(alice, secret, "!agenda flux activer");
    assert.equal(warning.isEncrypted(), true);
    assert.match(String(warning.getContent()["body"]), /chiffré de bout en bout.*NON CHIFFRÉS.*!agenda flux confirmer/);
    assert.doesNotMatch(String(warning.getContent()["body"]), /\/calendar\/feed\//);
    assert.equal(alice.client.getRoom(secret)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["ics_feed"], false);
    const confirmed = await command(alice, secret, "!agenda flux confirmer");
    const url = /(http:\/\/\S+\.ics)/.exec(String(confirmed.getContent()["body"]))?.[1];
    assert.ok(url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(new ICAL.Component(ICAL.parse(await res.text()) as unknown[]).name, "vcalendar");
  });
});
