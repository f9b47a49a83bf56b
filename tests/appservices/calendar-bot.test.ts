// Acceptance of the calendar bot (appservices/calendar) on two federated councils: a working
// group room (encrypted) with an agent of each council and ville-a's calendar bot, bound to a
// collection of a real Radicale (ville-a's groupware). An event created by an agent of A reaches
// B's member and A's CalDAV collection; an RSVP from B reaches CalDAV as PARTSTAT; an event made in
// the groupware reaches B's member; a restarted bot imports nothing twice.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as sdk from "matrix-js-sdk";
import { startCalendarBot, type RunningCalendarBot } from "../../appservices/calendar/src/bot/calendar-bot.ts";
import { CaldavClient } from "../../appservices/calendar/src/caldav/caldav-client.ts";
import { buildIcs } from "../../appservices/calendar/src/ics/ics-build.ts";
import { parseIcs } from "../../appservices/calendar/src/ics/ics-parse.ts";
import { buildEventRoot, buildEventRsvp, CALENDAR_STATE, EVENT_RSVP } from "../../appservices/calendar/src/protocol.ts";
import type { TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import type { TestClient } from "../harness/matrix-client.ts";
import { cryptoClient, sendRaw, startFederationWithBot, stopBotSuite } from "../harness/bot-federation.ts";
import { botCredentials, startRadicaleCalendar, type RunningRadicale } from "../harness/radicale.ts";
import { meeting } from "../calendar/caldav-world.ts";

const BOT = "@entente-calendar:ville-a";


describe("calendar bot across two councils (encrypted room, real Radicale)", function () {
  this.timeout(180_000);
  let dir: string;
  let fed: TestFederation;
  let radicale: RunningRadicale;
  let collection: string;
  let groupware: CaldavClient;
  let alice: TestClient;
  let bob: TestClient;
  let bot: RunningCalendarBot | undefined;
  let roomId: string;
  let registrationPath: string;
  let botPort: number;

  const start = (): Promise<RunningCalendarBot> => startCalendarBot({
    registrationPath, homeserverUrl: fed.get("ville-a").url, domain: "ville-a", storeDir: join(dir, "calendar-bot"), port: botPort,
    credentials: botCredentials(radicale), pollMs: 500, keyWaitMs: 10_000,
    log: (l) => { if (process.env["BOT_LOG"]) console.error(JSON.stringify(l)); },
  });
  const timeline = (c: TestClient): sdk.MatrixEvent[] => c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  const remote = async () => {
    const list = await groupware.list();
    return (await groupware.multiget(list.map((o) => o.href))).map((o) => {
      const p = parseIcs(o.data, "Europe/Paris");
      assert.ok(p.ok, p.ok ? "" : p.reason);
      return { href: o.href, ...p.value };
    });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-calendar-bot-"));
    ({ radicale, collection, groupware } = await startRadicaleCalendar("groupe-voirie"));
    ({ fed, registration: { path: registrationPath, port: botPort } } = await startFederationWithBot(dir, "calendar", ["ville-a", "agglo-b"]));
    alice = await cryptoClient(fed.get("ville-a").url, "alice");
    bob = await cryptoClient(fed.get("agglo-b").url, "bob");
    bot = await start();
  });

  after(async () => {
    await stopBotSuite({ bots: [bot], clients: [alice, bob], fed, services: [radicale], dir });
  });

  it("sets up the room calendar on invite and binds it to CalDAV by command, without credentials in the room", async () => {
    roomId = (await alice.client.createRoom({
      name: "Groupe de travail voirie", invite: [BOT, bob.userId],
      power_level_content_override: { users: { [BOT]: 50 } },
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })).room_id;
    await waitFor("bob's invite", () => bob.client.getRoom(roomId) ?? undefined, 30_000);
    await bob.client.joinRoom(roomId);
    await waitFor("the calendar state", () => alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda") ?? undefined, 30_000);
    await alice.client.sendTextMessage(roomId, `!agenda caldav ${collection}`);
    const state = await waitFor("the binding", (): Record<string, unknown> | undefined => {
      const c = alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent();
      return c?.["caldav"] === undefined ? undefined : c;
    }, 30_000);
    assert.deepEqual(state["caldav"], { server: radicale.url, collection: new URL(collection).pathname });
    assert.doesNotMatch(JSON.stringify(state), new RegExp(radicale.password));
  });

  it("an event from an agent of A reaches B's member and A's CalDAV; B's RSVP reaches CalDAV as PARTSTAT", async () => {
    const anchor = String(alice.client.getRoom(roomId)?.currentState.getStateEvents(CALENDAR_STATE, "agenda")?.getContent()["anchor"]);
    const fields = meeting("Commission voirie", "20261201", { attendees: [{ id: alice.userId }, { id: bob.userId }], calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T180000" }, dtend: { tzid: "Europe/Paris", value: "20261201T200000" }, rrule: "FREQ=WEEKLY" }, overrides: [] } });
    const root = (await sendRaw(alice, roomId, "m.room.message", buildEventRoot({ anchor, uid: "commission-voirie@ville-a", fields }))).event_id;
    const seen = await waitFor("bob decrypts the event", () => timeline(bob).find((e) => e.getId() === root && !e.isDecryptionFailure()), 30_000);
    assert.equal(seen.isEncrypted(), true);
    assert.equal(seen.getContent()["body"], "📅 Commission voirie — mar. 1 déc. 2026 18:00–20:00 (hebdomadaire)");
    const inCaldav = await waitFor("the event in CalDAV", async () => (await remote()).find((o) => o.uid === "commission-voirie@ville-a"), 30_000);
    assert.equal(inCaldav.href, `${collection}commission-voirie%40ville-a.ics`);
    assert.equal(inCaldav.fields.calendar.series.rrule, "FREQ=WEEKLY");
    await sendRaw(bob, roomId, EVENT_RSVP, buildEventRsvp({ root, status: "accepted" }));
    const partstat = await waitFor("bob's PARTSTAT in CalDAV", async () => {
      const o = (await remote()).find((x) => x.uid === "commission-voirie@ville-a");
      return o?.partstats.get(bob.userId) === "ACCEPTED" ? o.partstats : undefined;
    }, 30_000);
    assert.equal(partstat.get(alice.userId), "NEEDS-ACTION");
  });

  it("an event made in the groupware reaches B's member; a restarted bot imports nothing twice", async () => {
    const created = await groupware.create(`${collection}visite.ics`, buildIcs({ uid: "visite-chantier", fields: meeting("Visite de chantier", "20261203") }, Date.now()));
    assert.equal(created.status, "ok");
    const imported = await waitFor("bob sees the imported event", () => timeline(bob).find((e) => !e.isDecryptionFailure() && e.getContent()["msgtype"] === "fr.entente.event" && (e.getContent()["fr.entente.event"] as Record<string, unknown>)["uid"] === "visite-chantier"), 30_000);
    assert.equal(imported.getSender(), BOT);
    assert.deepEqual((imported.getContent()["fr.entente.event"] as Record<string, unknown>)["origin"], { source: "caldav", binding: `${roomId}|agenda` });
    await bot?.stop();
    bot = await start();
    await waitFor("bindings reloaded", () => (bot?.bound.size === 1 ? true : undefined), 30_000);
    await bot.syncRoom(roomId);
    await bot.syncRoom(roomId);
    const roots = timeline(alice).filter((e) => !e.isDecryptionFailure() && e.getContent()["msgtype"] === "fr.entente.event");
    assert.equal(roots.length, 2, "one root per event after the restart");
    assert.equal((await remote()).length, 2);
  });
});
