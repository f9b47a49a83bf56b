// The calendar bot when CalDAV fails (issue 14): Radicale stopped then restarted, and refused
// credentials. The binding shows it in the room once — its `error` state field and one notice
// mentioning the room's admins, not one per retry —, retries with back-off, loses nothing on
// either side, and says once that it recovered. Also: an answer given in the groupware
// (PARTSTAT) comes back to the room as the member's RSVP.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as sdk from "matrix-js-sdk";
import { startCalendarBot, type RunningCalendarBot } from "../../appservices/calendar/src/bot/calendar-bot.ts";
import { CaldavClient } from "../../appservices/calendar/src/caldav/caldav-client.ts";
import { buildIcs } from "../../appservices/calendar/src/ics/ics-build.ts";
import { parseIcs } from "../../appservices/calendar/src/ics/ics-parse.ts";
import { buildEventRoot, CALENDAR_STATE } from "../../appservices/calendar/src/protocol.ts";
import type { TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { sendRaw, startFederationWithBot, stopBotSuite } from "../harness/bot-federation.ts";
import { botCredentials, startRadicaleCalendar, type RunningRadicale } from "../harness/radicale.ts";
import { meeting } from "../calendar/caldav-world.ts";

const BOT = "@entente-calendar:ville-a";
type Json = Record<string, unknown>;

describe("calendar bot: CalDAV down or credentials refused", function () {
  this.timeout(180_000);
  let dir: string;
  let fed: TestFederation;
  let radicale: RunningRadicale;
  let collection: string;
  let groupware: CaldavClient;
  let alice: TestClient;
  let bot: RunningCalendarBot | undefined;
  let roomId: string;
  let registrationPath: string;
  let botPort: number;
  const logs: Json[] = [];

  const start = (password = radicale.password): Promise<RunningCalendarBot> => startCalendarBot({
    registrationPath, homeserverUrl: fed.get("ville-a").url, domain: "ville-a", storeDir: join(dir, "calendar-bot"), port: botPort,
    credentials: botCredentials(radicale, password), pollMs: 60_000, keyWaitMs: 10_000, defaultReminderMinutes: [],
    log: (l) => { logs.push(l); if (process.env["BOT_LOG"]) console.error(JSON.stringify(l)); },
  });
  const timeline = (): sdk.MatrixEvent[] => alice.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  const notices = (re: RegExp): sdk.MatrixEvent[] => timeline().filter((e) => e.getSender() === BOT && re.test(String(e.getContent()["body"])));
  const binding = (): Json => alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent() ?? {};
  const remoteUids = async (): Promise<string[]> => {
    const list = await groupware.list();
    return (await groupware.multiget(list.map((o) => o.href))).map((o) => { const p = parseIcs(o.data, "Europe/Paris"); return p.ok ? p.value.uid : "?"; }).sort();
  };
  const roomUids = (): string[] => timeline().filter((e) => e.getContent()["msgtype"] === "fr.entente.event").map((e) => String((e.getContent()["fr.entente.event"] as Json)["uid"])).sort();
  const failures = (): number => logs.filter((l) => l["msg"] === "calendar sync failed").length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-calendar-errors-"));
    ({ radicale, collection, groupware } = await startRadicaleCalendar("agenda-voirie"));
    ({ fed, registration: { path: registrationPath, port: botPort } } = await startFederationWithBot(dir, "calendar", ["ville-a"]));
    alice = await newClient(fed.get("ville-a").url, "alice");
    await startSyncing(alice.client);
    bot = await start();
    roomId = (await alice.client.createRoom({ name: "Voirie", invite: [BOT], power_level_content_override: { users: { [BOT]: 50 } } })).room_id;
    await waitFor("the calendar state", () => (binding()["anchor"] === undefined ? undefined : true), 30_000);
    await alice.client.sendTextMessage(roomId, `!agenda caldav ${collection}`);
    await waitFor("the binding", () => (binding()["caldav"] === undefined ? undefined : true), 30_000);
  });
  after(async () => {
    await stopBotSuite({ bots: [bot], clients: [alice], fed, services: [radicale], dir });
  });

  it("Radicale stopped: error state and ONE notice to the admins while retrying with back-off; restarted: both sides complete, one recovery notice", async () => {
    const anchor = String(binding()["anchor"]);
    await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor, uid: "avant-panne", fields: meeting("Avant la panne", "20261201") }));
    await waitFor("the first event in CalDAV", async () => ((await remoteUids()).includes("avant-panne") ? true : undefined), 30_000);
    // Made in the groupware just before the outage (the bot polls once a minute: not seen yet).
    await groupware.create(`${collection}pendant.ics`, buildIcs({ uid: "groupware-pendant", fields: meeting("Créé dans le logiciel d'agenda", "20261202") }, Date.now()));
    await radicale.pause();
    await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor, uid: "pendant-panne", fields: meeting("Pendant la panne", "20261203") }));
    const state = await waitFor("the error state", () => (typeof binding()["error"] === "string" ? binding() : undefined), 30_000);
    assert.equal(state["error"], "serveur CalDAV injoignable / CalDAV server unreachable");
    const broken = await waitFor("the notice", () => notices(/synchronisation CalDAV impossible/)[0], 30_000);
    assert.deepEqual(broken.getContent()["m.mentions"], { user_ids: [alice.userId] });
    assert.match(String(broken.getContent()["body"]), /^⚠️ alice : agenda, synchronisation CalDAV impossible : serveur CalDAV injoignable/, "the admin by name (review R5)");
    assert.match(String(broken.getContent()["formatted_body"]), /^⚠️ <a href="https:\/\/matrix\.to\/#\/@alice:ville-a">alice<\/a> : agenda/);
    await waitFor("three failed attempts (1 s, 2 s back-off)", () => (failures() >= 3 ? true : undefined), 30_000);
    const delays = logs.filter((l) => l["msg"] === "calendar sync failed").map((l) => Number(l["retry_ms"]));
    assert.ok(delays[1]! > delays[0]! && delays[2]! > delays[1]!, `back-off grows: ${delays.join(", ")}`);
    assert.equal(notices(/synchronisation CalDAV impossible/).length, 1, "one notice, not one per retry");
    await radicale.resume();
    await waitFor("the error cleared", () => (binding()["error"] === undefined ? true : undefined), 30_000);
    await waitFor("the recovery notice", () => notices(/synchronisation CalDAV rétablie/)[0], 30_000);
    await waitFor("nothing lost on either side", async () => {
      const [remote, room] = [await remoteUids(), roomUids()];
      return remote.join() === "avant-panne,groupware-pendant,pendant-panne" && room.join() === remote.join() ? true : undefined;
    }, 30_000);
    await bot?.syncRoom(roomId);
    assert.equal(notices(/synchronisation CalDAV impossible/).length, 1);
    assert.equal(notices(/synchronisation CalDAV rétablie/).length, 1);
  });

  it("a PARTSTAT set in the groupware comes back as the member's RSVP", async () => {
    const anchor = String(binding()["anchor"]);
    const fields = meeting("Réunion de chantier", "20261204", { attendees: [{ id: alice.userId }, { id: "mailto:entreprise@btp.fr" }] });
    const root = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor, uid: "chantier", fields }))).event_id;
    const href = `${collection}chantier.ics`;
    const obj = await waitFor("the event in CalDAV", () => groupware.get(href), 30_000);
    const res = await groupware.update(href, buildIcs({ uid: "chantier", fields, rsvps: [{ userId: alice.userId, status: "tentative" }] }, Date.now()), obj.etag);
    assert.equal(res.status, "ok");
    await bot?.syncRoom(roomId);
    const rsvp = await waitFor("the mirrored RSVP", () => timeline().find((e) => e.getType() === "fr.entente.event.rsvp" && e.getSender() === BOT), 30_000);
    assert.deepEqual(rsvp.getContent(), { version: 1, "m.relates_to": { rel_type: "m.reference", event_id: root }, status: "tentative", on_behalf_of: alice.userId });
    await bot?.syncRoom(roomId);
    assert.equal(timeline().filter((e) => e.getType() === "fr.entente.event.rsvp").length, 1, "no echo");
  });

  it("refused credentials: error state and one notice; right credentials again: recovered, one notice", async () => {
    await bot?.stop();
    bot = await start("mauvais-mot-de-passe");
    await waitFor("the refused state", () => (String(binding()["error"] ?? "").startsWith("identifiants CalDAV refusés (401)") ? true : undefined), 30_000);
    await waitFor("the notice", () => (notices(/identifiants CalDAV refusés/).length === 1 ? true : undefined), 30_000);
    await waitFor("a retry", () => (logs.filter((l) => l["msg"] === "calendar sync failed" && Number(l["failures"]) >= 2).length > 0 ? true : undefined), 30_000);
    assert.equal(notices(/identifiants CalDAV refusés/).length, 1);
    await bot.stop();
    bot = await start();
    await waitFor("the error cleared", () => (binding()["error"] === undefined ? true : undefined), 30_000);
    await waitFor("the second recovery notice", () => (notices(/synchronisation CalDAV rétablie/).length === 2 ? true : undefined), 30_000);
    // A refused listing is not an empty collection: nothing was cancelled, nothing deleted.
    assert.equal(timeline().filter((e) => e.getType() === "fr.entente.event.update" && e.getContent()["cancel"] === true).length, 0);
    assert.deepEqual(await remoteUids(), ["avant-panne", "chantier", "groupware-pendant", "pendant-panne"]);
  });
});
