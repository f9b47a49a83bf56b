// GET /rooms/{roomId}/state serialised in slices, and cached per state group.
// A state group never changes; what can change is how its events read (a redaction), so the cache
// key carries the event store's redaction epoch. A group id can be given again when the write that
// made it rolled back (SQLite: a read during an open group sees the group; AUTOINCREMENT rolls back
// with the rows): the key carries the store's rollback epoch too. `unsigned.age` depends on the
// time of the request: each event is cached as the JSON text up to its age, and the age is appended
// when answering.
import type { JsonObject } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { EventStore } from "../../storage/event-store.ts";
import { yieldToLoop } from "../http/chunked-json.ts";
import { clientEvent } from "./client-event.ts";

/** One event: `prefix + age + "}}"` is its client-event JSON. */
interface CachedEvent {
  prefix: string;
  ts: number;
}

interface Entry {
  epoch: number;
  rollback: number;
  events: CachedEvent[];
  bytes: number;
}

/** Events read and serialised per slice: about 2 ms of work each on this machine. */
const SLICE = 250;

/** Client-event JSON with `unsigned` last and `age` last in it, split before the age. */
function splitAtAge(event: JsonObject): CachedEvent {
  const { unsigned, ...rest } = event;
  const { age: _age, ...u } = (unsigned ?? {}) as JsonObject;
  const text = JSON.stringify({ ...rest, unsigned: { ...u, age: 0 } });
  return { prefix: text.slice(0, -3), ts: typeof event["origin_server_ts"] === "number" ? event["origin_server_ts"] : 0 };
}

export class SerializedStateCache {
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;
  /** Slices served from the cache and slices built from the database (tests read them). */
  readonly stats = { hits: 0, built: 0 };

  private readonly deps: { events: Pick<EventStore, "getEvents" | "redactionEpoch" | "rollbackEpoch">; maxBytes: number };

  constructor(deps: { events: Pick<EventStore, "getEvents" | "redactionEpoch" | "rollbackEpoch">; maxBytes: number }) {
    this.deps = deps;
  }

  /** The state events as slices of JSON texts, ready for `jsonArrayStream`. */
  async *slices(group: number, ids: readonly string[], version: RoomVersion, now: () => number): AsyncGenerator<string[]> {
    const epoch = this.deps.events.redactionEpoch();
    const rollback = this.deps.events.rollbackEpoch();
    const hit = this.entries.get(group);
    if (hit && hit.epoch === epoch && hit.rollback === rollback) {
      this.stats.hits++;
      this.touch(group, hit);
      for (let i = 0; i < hit.events.length; i += SLICE * 4) {
        const t = now();
        yield hit.events.slice(i, i + SLICE * 4).map((e) => `${e.prefix}${Math.max(0, t - e.ts)}}}`);
        await yieldToLoop();
      }
      return;
    }
    this.stats.built++;
    const built: CachedEvent[] = [];
    for (let i = 0; i < ids.length; i += SLICE) {
      const rows = await this.deps.events.getEvents(ids.slice(i, i + SLICE));
      const t = now();
      const part = [...rows.values()].map((row) => splitAtAge(clientEvent(row, { now: t, version, withRoomId: true })));
      built.push(...part);
      yield part.map((e) => `${e.prefix}${Math.max(0, t - e.ts)}}}`);
      await yieldToLoop();
    }
    this.store(group, { epoch, rollback, events: built, bytes: built.reduce((n, e) => n + e.prefix.length + 16, 0) });
  }

  private touch(group: number, entry: Entry): void {
    this.entries.delete(group);
    this.entries.set(group, entry);
  }

  private store(group: number, entry: Entry): void {
    if (entry.bytes > this.deps.maxBytes / 4) return; // one room may not evict everything else
    const old = this.entries.get(group);
    if (old) this.bytes -= old.bytes;
    this.entries.set(group, entry);
    this.bytes += entry.bytes;
    for (const [g, e] of this.entries) {
      if (this.bytes <= this.deps.maxBytes) break;
      this.entries.delete(g);
      this.bytes -= e.bytes;
    }
  }
}
