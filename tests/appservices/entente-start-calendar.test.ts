// `entente start`/`entente demo` run each council's calendar bot (its registration written by
// `entente init`), and the demo binds the working group's calendar to a Radicale it starts on a
// free port with a temporary folder: an event created in the room lands in that collection. The
// start table says whether Radicale runs; without it (ENTENTE_RADICALE_BIN pointing nowhere) the
// same calendar goes on Matrix-only, unbound, with no error.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { buildEventRoot } from "../../appservices/calendar/src/protocol.ts";
import { entente, freePortBlock, REPO_ROOT, spawnEntente, stopEntente, type RunningCli } from "../harness/entente-cli.ts";
import { call } from "../harness/client-api.ts";
import { waitFor } from "../harness/homeserver.ts";
import { RADICALE_BIN } from "../harness/radicale.ts";

type Json = Record<string, unknown>;
const C = "/_matrix/client/v3";
const enc = encodeURIComponent;

const api = (base: string, token: string, method: string, path: string, body?: unknown): Promise<Json> => call(base, { accessToken: token }, method, path, body);

describe("entente start/demo run the calendar bots; the demo binds the working group to Radicale", function () {
  this.timeout(300_000);
  let root: string;
  let dir: string;
  let base: number;
  let run: RunningCli | undefined;
  let token = "";
  let roomId = "";
  const villeA = (): string => `http://127.0.0.1:${base}`;
  const start = async (env: NodeJS.ProcessEnv = process.env): Promise<RunningCli> => {
    const r = spawnEntente(["demo", dir], REPO_ROOT, env);
    await r.waitFor(/ville-a: calendar bot @entente-calendar:ville-a\.localhost running/, 120_000);
    await r.waitFor(/agglo-b: calendar bot @entente-calendar:agglo-b\.localhost running/, 120_000);
    await r.waitFor(/Entente is running/, 120_000);
    return r;
  };
  const stop = async (): Promise<void> => {
    const code = await stopEntente(run);
    run = undefined;
    assert.equal(code, 0);
  };
  const binding = (): Promise<Json | undefined> => api(villeA(), token, "GET", `${C}/rooms/${enc(roomId)}/state/fr.entente.calendar/agenda`).catch(() => undefined);

  before(async () => {
    if (!existsSync(RADICALE_BIN)) {
      if (process.env["CI"] === "true") throw new Error(`${RADICALE_BIN} missing (Debian package radicale, installed by .ci/run)`);
      (this as unknown as Mocha.Context).skip();
    }
    root = mkdtempSync(join(tmpdir(), "entente-start-calendar-"));
    dir = join(root, "fed");
    base = await freePortBlock(8);
    const init = entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--demo-users", "1", "--base-port", String(base)]);
    assert.equal(init.code, 0, init.stderr);
    assert.ok(existsSync(join(dir, "ville-a/appservices/calendar.yaml")), "init registers the calendar bot");
  });
  after(async () => {
    if (run) await stop().catch(() => undefined);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("the demo starts Radicale, the table says so, and an event of the working group lands in its collection", async () => {
    run = await start();
    const line = /Agenda CalDAV \(démo\) : Radicale (http:\/\/127\.0\.0\.1:\d+\/\S+\/) en marche \/ running \(données temporaires \/ temporary data: (\S+)\)/.exec(run.output());
    assert.ok(line, run.output());
    const [, collection = "", storage = ""] = line;
    const password = (parse(readFileSync(join(dir, "ville-a/demo-accounts.yaml"), "utf8")) as Record<string, string>)["agent1"] ?? "";
    const login = await fetch(`${villeA()}${C}/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password }) });
    token = String(((await login.json()) as Json)["access_token"]);
    roomId = await waitFor("the invite to the working group", async () => {
      const s = await api(villeA(), token, "GET", `${C}/sync?timeout=0`);
      // The room, not the space around it nor its dossier (invited too): a create event without a type.
      const invites = ((s["rooms"] as Json)["invite"] ?? {}) as Record<string, { invite_state?: { events?: Json[] } }>;
      return Object.keys(invites).find((id) => {
        const create = invites[id]?.invite_state?.events?.find((e) => e["type"] === "m.room.create");
        return create !== undefined && (create["content"] as Json)["type"] === undefined;
      });
    }, 60_000);
    await api(villeA(), token, "POST", `${C}/join/${enc(roomId)}`, {});
    const state = await waitFor("the working group's calendar bound to Radicale", async () => {
      const b = await binding();
      return b?.["caldav"] === undefined ? undefined : b;
    }, 60_000);
    assert.deepEqual(state["caldav"], { server: new URL(collection).origin, collection: new URL(collection).pathname });
    assert.equal(state["bot"], "@entente-calendar:ville-a.localhost");
    const calendar = { series: { dtstart: { tzid: "Europe/Paris", value: "20261215T100000" }, dtend: { tzid: "Europe/Paris", value: "20261215T120000" } }, overrides: [] };
    await api(villeA(), token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t1`, buildEventRoot({ anchor: String(state["anchor"]), uid: "demo-comite-pilotage", fields: { summary: "Comité de pilotage", calendar } }));
    const folder = join(storage, "collection-root", new URL(collection).pathname.split("/").filter(Boolean).join("/"));
    const ics = await waitFor("the event in Radicale's folder", () => {
      if (!existsSync(folder)) return undefined;
      const f = readdirSync(folder).find((n) => n.endsWith(".ics"));
      return f === undefined ? undefined : readFileSync(join(folder, f), "utf8");
    }, 60_000);
    assert.match(ics, /UID:demo-comite-pilotage/);
    assert.match(ics, /DTSTART;TZID=Europe\/Paris:20261215T100000/);
    await stop();
    assert.equal(existsSync(storage), false, "the temporary folder is removed with the demo");
  });

  it("without Radicale the table says calendars are Matrix-only, and the working group's calendar is unbound, without error", async () => {
    run = await start({ ...process.env, ENTENTE_RADICALE_BIN: join(root, "no-radicale") });
    assert.match(run.output(), /Agenda CalDAV \(démo\) : Radicale absent, agendas dans Matrix seulement \/ not running, calendars are Matrix-only/);
    const state = await waitFor("the calendar unbound", async () => {
      const b = await binding();
      return b !== undefined && b["caldav"] === undefined ? b : undefined;
    }, 60_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\ncalendar bot log:\n${readFileSync(join(dir, "ville-a/calendar-bot.log"), "utf8").split("\n").slice(-15).join("\n")}`);
    });
    assert.equal(state["error"], undefined);
    // Unbound before any pass: the previous run's (stopped) Radicale is never tried.
    assert.equal(readFileSync(join(dir, "ville-a/calendar-bot.log"), "utf8").match(/calendar sync failed/g), null);
    await stop();
  });
});
