// The fold's input boundary: raw room events (as /sync, /messages, /relations or the widget API
// return them, already decrypted) → envelopes, de-duplicated, with the set of redacted event ids.
// https://spec.matrix.org/v1.16/client-server-api/#redactions
import { ROOM_REDACTION } from "./event-types.ts";
import { isObject, type JsonObject } from "./parse.ts";
import { userLevel, type RoomPowerLevels } from "./power-levels.ts";

export interface EventEnvelope {
  eventId: string;
  type: string;
  sender: string;
  originServerTs: number;
  content: JsonObject;
  /** the server says so (unsigned.redacted_because) */
  redacted: boolean;
  /** target of an m.room.redaction (v11 puts it in content, older versions at the top level) */
  redacts?: string;
}

/** Why an event did not count. Collected, never thrown: a reader must survive any room. */
export interface SkippedEvent {
  eventId: string;
  reason: string;
}

const NO_CONTENT: JsonObject = Object.freeze({});

function envelope(raw: unknown): EventEnvelope | string {
  if (!isObject(raw)) return "event is not an object";
  const { event_id: eventId, type, sender, origin_server_ts: ts } = raw;
  if (typeof eventId !== "string" || eventId.length === 0) return "event has no event_id";
  if (typeof type !== "string" || typeof sender !== "string") return "event has no type or sender";
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "event has no origin_server_ts";
  // No allocation for what is absent (the fold reads tens of thousands of envelopes): one shared,
  // frozen empty content, and `unsigned` is only looked into.
  const unsigned = raw["unsigned"];
  const content = isObject(raw["content"]) ? raw["content"] : NO_CONTENT;
  const redacted = isObject(unsigned) && unsigned["redacted_because"] !== undefined;
  const env: EventEnvelope = { eventId, type, sender, originServerTs: ts, content, redacted };
  const redacts = typeof content["redacts"] === "string" ? content["redacts"] : raw["redacts"];
  if (type === ROOM_REDACTION && typeof redacts === "string") env.redacts = redacts;
  return env;
}

export interface PreparedEvents {
  events: Map<string, EventEnvelope>;
  redacted: Set<string>;
  skipped: SkippedEvent[];
}

/**
 * Deduplicates by event id (the same event delivered twice, by /sync and by /relations, counts
 * once; if any copy is marked redacted, it is redacted) and collects redactions. A redaction
 * counts when its sender sent the target or holds the room's `redact` level, as clients judge it.
 */
export function prepareEvents(raw: Iterable<unknown>, levels: RoomPowerLevels): PreparedEvents {
  const events = new Map<string, EventEnvelope>();
  const skipped: SkippedEvent[] = [];
  // Ids of the events the redaction pass must look at (redacted copies, redactions): the pass then
  // reads their de-duplicated copy without walking every event again.
  const marked = new Set<string>();
  for (const r of raw) {
    const env = envelope(r);
    if (typeof env === "string") {
      skipped.push({ eventId: isObject(r) && typeof r["event_id"] === "string" ? r["event_id"] : "?", reason: env });
      continue;
    }
    if (env.redacted || env.redacts !== undefined) marked.add(env.eventId);
    const seen = events.get(env.eventId);
    if (seen === undefined) events.set(env.eventId, env);
    else if (env.redacted && !seen.redacted) events.set(env.eventId, env);
  }
  const redacted = new Set<string>();
  for (const id of marked) {
    const env = events.get(id);
    if (env === undefined) continue;
    if (env.redacted) redacted.add(env.eventId);
    if (env.redacts === undefined || env.redacted) continue;
    const target = events.get(env.redacts);
    if (target && (target.sender === env.sender || userLevel(levels, env.sender) >= levels.redact)) redacted.add(target.eventId);
  }
  return { events, redacted, skipped };
}

/**
 * The fold order: (clock, origin_server_ts, event_id). Lamport clocks order causally related
 * updates; the timestamp and then the event id (compared by code unit, never by locale) break
 * ties between concurrent ones identically on every reader.
 */
export function compareFoldOrder(a: { clock: number; env: EventEnvelope }, b: { clock: number; env: EventEnvelope }): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  if (a.env.originServerTs !== b.env.originServerTs) return a.env.originServerTs - b.env.originServerTs;
  return a.env.eventId < b.env.eventId ? -1 : a.env.eventId > b.env.eventId ? 1 : 0;
}

/** Lamport clock for the next update: one more than the largest clock seen in the room. */
export function nextClock(seen: Iterable<number> | number): number {
  let max = 0;
  if (typeof seen === "number") max = seen;
  else for (const c of seen) if (c > max) max = c;
  // Stays a valid wire clock; a room that reached it has a writer abusing clocks anyway.
  return Math.min(max + 1, Number.MAX_SAFE_INTEGER);
}

export function sortSkipped(skipped: SkippedEvent[]): SkippedEvent[] {
  return skipped.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}
