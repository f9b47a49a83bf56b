// Test world for the calendar sync suites: a real Radicale collection, a room (MemoryRoom), the
// engine with a store file in a temp dir, a counting fetch, and a "CalDAV client" acting as an
// agent's groupware (its own hrefs, its own edits).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaldavClient } from "../../appservices/calendar/src/caldav/caldav-client.ts";
import type { CaldavCollection } from "../../appservices/calendar/src/caldav/caldav-port.ts";
import { httpFetch } from "../../appservices/calendar/src/caldav/http-fetch.ts";
import { buildIcs } from "../../appservices/calendar/src/ics/ics-build.ts";
import { parseIcs, type ParsedIcs } from "../../appservices/calendar/src/ics/ics-parse.ts";
import type { CalendarEventFields } from "../../appservices/calendar/src/protocol.ts";
import { MemoryRoom } from "../../appservices/calendar/src/sync/memory-room.ts";
import type { RoomSide } from "../../appservices/calendar/src/sync/room-side.ts";
import type { PassStats } from "../../appservices/calendar/src/sync/sync-context.ts";
import { SyncEngine } from "../../appservices/calendar/src/sync/sync-engine.ts";
import { SyncStore } from "../../appservices/calendar/src/sync/sync-store.ts";
import { startRadicale, type RunningRadicale } from "../harness/radicale.ts";

export const ALICE = "@alice:ville-a.fr";
export const paris = (value: string) => ({ tzid: "Europe/Paris", value });

export function meeting(summary: string, day = "20261201", extra: Partial<CalendarEventFields> = {}): CalendarEventFields {
  return {
    summary,
    description: null,
    location: null,
    calendar: { series: { dtstart: paris(`${day}T180000`), dtend: paris(`${day}T200000`) }, overrides: [] },
    organizer: null,
    attendees: [],
    reminders: [],
    video: null,
    ...extra,
  };
}

/** A collection that behaves like `c` except for the methods given (a server with quirks). */
export function quirky(c: CaldavCollection, overrides: Partial<CaldavCollection>): CaldavCollection {
  return {
    url: c.url,
    syncCollection: (t) => c.syncCollection(t),
    ctag: () => c.ctag(),
    list: () => c.list(),
    multiget: (h) => c.multiget(h),
    get: (h) => c.get(h),
    create: (h, d) => c.create(h, d),
    update: (h, d, e) => c.update(h, d, e),
    remove: (h, e) => c.remove(h, e),
    ...overrides,
  };
}

export interface RequestCount {
  total: number;
  byMethod: Map<string, number>;
}

export class CaldavWorld {
  readonly room = new MemoryRoom();
  readonly requests: RequestCount = { total: 0, byMethod: new Map() };
  readonly logs: string[] = [];
  /** runs once before the bot's next PUT reaches the server (a concurrent edit) */
  beforeNextPut: (() => Promise<void>) | undefined;
  /** the bot "dies" after this many more requests: the request is made, its answer is lost */
  dieAfter: number | undefined;
  engine!: SyncEngine;
  store!: SyncStore;
  caldav!: CaldavCollection;
  /** the agent's groupware */
  client!: CaldavClient;
  collection!: string;
  private radicale!: RunningRadicale;
  private dir = mkdtempSync(join(tmpdir(), "entente-calbot-"));

  static async start(): Promise<CaldavWorld> {
    const w = new CaldavWorld();
    w.radicale = await startRadicale();
    w.collection = await w.radicale.makeCalendar("groupe-de-travail");
    w.client = new CaldavClient({ collectionUrl: w.collection, username: w.radicale.username, password: w.radicale.password });
    await w.restartBot();
    return w;
  }

  private http = httpFetch();

  private countingFetch: typeof fetch = async (input, init) => {
    const method = init?.method ?? "GET";
    if (method === "PUT" && this.beforeNextPut !== undefined) {
      const hook = this.beforeNextPut;
      this.beforeNextPut = undefined;
      await hook();
    }
    this.requests.total += 1;
    this.requests.byMethod.set(method, (this.requests.byMethod.get(method) ?? 0) + 1);
    const res = await this.http(input, init);
    if (this.dieAfter !== undefined && --this.dieAfter <= 0) {
      this.dieAfter = undefined;
      throw new Error("bot killed");
    }
    return res;
  };

  /** A new engine process: a store read back from disk, a new CalDAV client. */
  async restartBot(wrap: (c: CaldavCollection) => CaldavCollection = (c) => c, password = this.radicale.password): Promise<void> {
    this.store = await SyncStore.open(join(this.dir, "store.json"));
    this.caldav = wrap(new CaldavClient({ collectionUrl: this.collection, username: this.radicale.username, password, fetch: this.countingFetch }));
    this.engine = new SyncEngine({ bindingId: "gt", caldav: this.caldav, room: this.dyingRoom, store: this.store, log: (l) => this.logs.push(l) });
  }

  /** the bot "dies" right after its next N-th room write went through */
  roomDieAfter: number | undefined;

  private roomWrite<T>(result: T): T {
    if (this.roomDieAfter !== undefined && --this.roomDieAfter <= 0) {
      this.roomDieAfter = undefined;
      throw new Error("bot killed");
    }
    return result;
  }

  private dyingRoom: RoomSide = {
    load: () => this.room.load(),
    create: async (uid, fields, origin) => this.roomWrite(await this.room.create(uid, fields, origin)),
    update: async (rootId, set) => this.roomWrite(await this.room.update(rootId, set)),
    cancel: async (rootId) => this.roomWrite(await this.room.cancel(rootId)),
    rsvp: async (rootId, userId, status) => this.roomWrite(await this.room.rsvp(rootId, userId, status)),
  };

  /** The bot's store is lost (a new machine): the next restart begins from nothing. */
  forgetStore(): void {
    rmSync(join(this.dir, "store.json"), { force: true });
  }

  /** Passes until one writes nothing on either side; returns the passes' stats. */
  async settle(maxPasses = 6): Promise<PassStats[]> {
    const all: PassStats[] = [];
    for (let i = 0; i < maxPasses; i++) {
      const s = await this.engine.syncOnce();
      all.push(s);
      if (s.remoteWrites === 0 && s.roomWrites === 0) return all;
    }
    throw new Error(`no quiet pass after ${maxPasses}: ${JSON.stringify(all)}`);
  }

  /** A pass after settling: requests made and room events sent (both must be the minimum). */
  async quietPass(): Promise<{ requests: number; roomEvents: number; stats: PassStats }> {
    const before = this.requests.total;
    const events = this.room.events.length;
    const stats = await this.engine.syncOnce();
    return { requests: this.requests.total - before, roomEvents: this.room.events.length - events, stats };
  }

  async remoteObjects(): Promise<Map<string, { href: string; etag: string | undefined; event: ParsedIcs }>> {
    const list = await this.client.list();
    const objects = await this.client.multiget(list.map((o) => o.href));
    const out = new Map<string, { href: string; etag: string | undefined; event: ParsedIcs }>();
    for (const o of objects) {
      const p = parseIcs(o.data, "Europe/Paris");
      if (!p.ok) throw new Error(`${o.href}: ${p.reason}`);
      if (out.has(p.value.uid)) throw new Error(`duplicate UID ${p.value.uid} in CalDAV`);
      out.set(p.value.uid, { href: o.href, etag: o.etag, event: p.value });
    }
    return out;
  }

  /** The agent's groupware creates or replaces an object (its own href naming). */
  async clientPut(uid: string, fields: CalendarEventFields): Promise<string> {
    const href = `${this.collection}client-${uid}.ics`;
    const existing = await this.client.get(href);
    const ics = buildIcs({ uid, fields }, Date.now());
    const res = existing === undefined ? await this.client.create(href, ics) : await this.client.update(href, ics, existing.etag);
    if (res.status !== "ok") throw new Error(`client PUT ${href}: ${res.status}`);
    return href;
  }

  async stop(): Promise<void> {
    await this.radicale.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
