// Calendar bot benchmark (issue 14): a real Radicale collection of N events (one in ten a weekly
// series with an exception and a moved occurrence) imported into a room calendar, then an
// incremental sync of 10 changes made in the groupware. Radicale's one-time work on a new
// collection (parsing items into its cache, a sync history entry per item) happens before the
// measurement and is reported on its own row. The room side is the in-memory room
// (MemoryRoom: the protocol's fold over raw events), so the figures are the bot's CalDAV and
// iCalendar work plus the fold, not a homeserver's.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaldavClient } from "../../appservices/calendar/src/caldav/caldav-client.ts";
import { httpFetch } from "../../appservices/calendar/src/caldav/http-fetch.ts";
import { buildIcs } from "../../appservices/calendar/src/ics/ics-build.ts";
import type { CalendarEventFields } from "../../appservices/calendar/src/protocol.ts";
import { MemoryRoom } from "../../appservices/calendar/src/sync/memory-room.ts";
import { SyncEngine } from "../../appservices/calendar/src/sync/sync-engine.ts";
import { SyncStore } from "../../appservices/calendar/src/sync/sync-store.ts";
import { startRadicale } from "../harness/radicale.ts";
import type { BenchRow } from "./stats.ts";

const paris = (value: string) => ({ tzid: "Europe/Paris", value });

function eventFields(i: number): CalendarEventFields {
  const day = new Date(Date.UTC(2026, 0, 1 + (i % 365)));
  const d = `${day.getUTCFullYear()}${String(day.getUTCMonth() + 1).padStart(2, "0")}${String(day.getUTCDate()).padStart(2, "0")}`;
  const recurring = i % 10 === 0;
  const next = (days: number): string => {
    const x = new Date(day.getTime() + days * 86_400_000);
    return `${x.getUTCFullYear()}${String(x.getUTCMonth() + 1).padStart(2, "0")}${String(x.getUTCDate()).padStart(2, "0")}`;
  };
  return {
    summary: `Réunion ${i}`,
    description: i % 3 === 0 ? `Ordre du jour de la réunion ${i}` : null,
    location: i % 2 === 0 ? "Salle du conseil" : null,
    calendar: recurring
      ? {
          series: { dtstart: paris(`${d}T180000`), dtend: paris(`${d}T200000`), rrule: "FREQ=WEEKLY;COUNT=20", exdate: [paris(`${next(14)}T180000`)] },
          overrides: [{ recurrenceId: paris(`${next(21)}T180000`), dtstart: paris(`${next(22)}T170000`), dtend: paris(`${next(22)}T190000`) }],
        }
      : { series: { dtstart: paris(`${d}T${String(8 + (i % 10)).padStart(2, "0")}0000`), dtend: paris(`${d}T${String(9 + (i % 10)).padStart(2, "0")}0000`) }, overrides: [] },
    organizer: null,
    attendees: i % 5 === 0 ? [{ id: "@alice:ville-a.fr" }, { id: "mailto:elu@ville-b.fr" }] : [],
    reminders: i % 4 === 0 ? [15] : [],
    video: null,
  };
}

/**
 * Writes the N objects straight into Radicale's storage folder (one .ics per href, as Radicale
 * stores them): a bulk PUT through Radicale takes minutes for 5,000 objects, and that is setup.
 */
function fillCollection(folder: string, n: number): void {
  for (let i = 0; i < n; i++) writeFileSync(join(folder, `bench-${i}.ics`), buildIcs({ uid: `bench-${i}`, fields: eventFields(i) }, Date.UTC(2026, 0, 1)));
}

export async function calendarSyncBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 1000 : 5000;
  const radicale = await startRadicale();
  const dir = mkdtempSync(join(tmpdir(), "entente-calbench-"));
  try {
    const collection = await radicale.makeCalendar("bench");
    fillCollection(radicale.collectionFolder("bench"), n);
    const http = httpFetch({ timeoutMs: 600_000 });
    // Radicale parses and caches each item on first read: warm it up outside the measurement.
    const warm = new CaldavClient({ collectionUrl: collection, username: radicale.username, password: radicale.password, fetch: http });
    let t = performance.now();
    const listed = await warm.list();
    await warm.multiget(listed.map((o) => o.href));
    // Radicale's first sync-collection writes a history entry per item (seconds per thousand).
    await warm.syncCollection(undefined);
    const warmS = (performance.now() - t) / 1000;
    let requests = 0;
    const counting: typeof fetch = (i, init) => {
      requests += 1;
      return http(i, init);
    };
    const room = new MemoryRoom();
    const store = await SyncStore.open(join(dir, "store.json"));
    const engine = new SyncEngine({ bindingId: "bench", caldav: new CaldavClient({ collectionUrl: collection, username: radicale.username, password: radicale.password, fetch: counting }), room, store });
    t = performance.now();
    const first = await engine.syncOnce();
    const importS = (performance.now() - t) / 1000;
    const importRequests = requests;
    const settle = await engine.syncOnce();
    const series = [...(await room.load()).values()].filter((e) => e.fields.calendar.series.rrule !== undefined).length;
    // 10 changes in the groupware, then one incremental pass.
    const client = new CaldavClient({ collectionUrl: collection, username: radicale.username, password: radicale.password });
    for (let i = 0; i < 10; i++) {
      const href = `${collection}bench-${i * 7}.ics`;
      const obj = await client.get(href);
      const res = await client.update(href, buildIcs({ uid: `bench-${i * 7}`, fields: { ...eventFields(i * 7), summary: `Réunion ${i * 7} (modifiée)` } }, Date.now()), obj?.etag);
      if (res.status !== "ok") throw new Error(`edit ${href}: ${res.status}`);
    }
    requests = 0;
    const roomBefore = room.events.length;
    t = performance.now();
    const incr = await engine.syncOnce();
    const incrS = (performance.now() - t) / 1000;
    const ok = first.roomWrites === n && settle.roomWrites === 0 && settle.remoteWrites === 0 && incr.roomWrites === 10 && room.events.length === roomBefore + 10;
    if (!ok) throw new Error(`calendar bench: unexpected counts ${JSON.stringify({ first: first.roomWrites, settle, incr })}`);
    return [
      { name: `calendar: initial import of ${n} CalDAV events (${series} weekly series) into a room`, value: importS, unit: "s", target: quick ? "" : "≤ 60 s", ...(quick ? {} : { met: importS <= 60 }) },
      { name: "calendar: initial import, CalDAV requests", value: importRequests, unit: "req", target: "" },
      { name: "calendar: (Radicale's first read of the collection, not the bot)", value: warmS, unit: "s", target: "" },
      { name: "calendar: incremental sync of 10 CalDAV changes", value: incrS, unit: "s", target: "≤ 2 s", met: incrS <= 2 },
      { name: "calendar: incremental sync, CalDAV requests", value: requests, unit: "req", target: "" },
    ];
  } finally {
    await radicale.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./stats.ts");
  const rows = await calendarSyncBench(process.argv.includes("--quick"));
  printTable(rows);
  process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
}
