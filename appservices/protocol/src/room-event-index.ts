// The fold input boundary without envelopes: raw room events (as /sync, /messages, /relations or
// the widget API return them, already decrypted) de-duplicated by event id, with the set of
// redacted event ids — the same rules and skip reasons as `prepareEvents` (room-events.ts), but the
// events stay the caller's objects: no envelope per event (the task fold reads 22,000 events for a
// large board, and the envelopes were its largest long-lived allocation).
// https://spec.matrix.org/v1.16/client-server-api/#redactions
import { ROOM_REDACTION } from "./event-types.ts";
import { isObject, type JsonObject } from "./parse.ts";
import { userLevel, type RoomPowerLevels } from "./power-levels.ts";
import type { SkippedEvent } from "./room-events.ts";

/** A raw event as given (any object) whose event id, type, sender and origin_server_ts were checked; its content is not (raw-event.ts is the shape bots keep). */
export interface CheckedRawEvent extends JsonObject {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
}

export interface RoomEventIndex {
  /** by event id, in order of first delivery */
  events: Map<string, CheckedRawEvent>;
  redacted: Set<string>;
  /**
   * Ids whose first copy was replaced by a later redacted copy (rare): `onFirstCopy` saw the first
   * copy, `events` holds the redacted one.
   */
  replaced: Set<string> | undefined;
  skipped: SkippedEvent[];
}

const NO_CONTENT: JsonObject = Object.freeze({});

/** The event's content, or a shared frozen empty object when it has none (as envelopes had). */
export function rawContent(ev: JsonObject): JsonObject {
  const c = ev["content"];
  return isObject(c) ? c : NO_CONTENT;
}

/** The server says so (unsigned.redacted_because). */
function isRedactedCopy(ev: JsonObject): boolean {
  const unsigned = ev["unsigned"];
  return isObject(unsigned) && unsigned["redacted_because"] !== undefined;
}

/** Target of an m.room.redaction (v11 puts it in content, older versions at the top level). */
function redactsOf(ev: JsonObject): string | undefined {
  if (ev["type"] !== ROOM_REDACTION) return undefined;
  const inContent = rawContent(ev)["redacts"];
  const redacts = typeof inContent === "string" ? inContent : ev["redacts"];
  return typeof redacts === "string" ? redacts : undefined;
}

/**
 * Deduplicates by event id (the same event delivered twice, by /sync and by /relations, counts
 * once; the first copy is kept, unless a later copy is marked redacted and it is not) and collects
 * redactions. A redaction counts when its sender sent the target or holds the room's `redact`
 * level, as clients judge it. Malformed events are skipped with the reason `prepareEvents` gives.
 * `onFirstCopy` is called with the first copy of each event id, as it is met.
 */
export function indexRoomEvents(raw: Iterable<unknown>, levels: RoomPowerLevels, onFirstCopy?: (ev: CheckedRawEvent) => void): RoomEventIndex {
  const events = new Map<string, CheckedRawEvent>();
  const skipped: SkippedEvent[] = [];
  let replaced: Set<string> | undefined;
  // Ids of the events the redaction pass must look at (redacted copies, redactions), usually few.
  const marked: string[] = [];
  const visit = (r: unknown): void => {
    if (!isObject(r)) {
      skipped.push({ eventId: "?", reason: "event is not an object" });
      return;
    }
    const id = r["event_id"];
    const type = r["type"];
    const sender = r["sender"];
    const ts = r["origin_server_ts"];
    if (typeof id !== "string" || id.length === 0) {
      skipped.push({ eventId: typeof id === "string" ? id : "?", reason: "event has no event_id" });
      return;
    }
    if (typeof type !== "string" || typeof sender !== "string") {
      skipped.push({ eventId: id, reason: "event has no type or sender" });
      return;
    }
    if (typeof ts !== "number" || !Number.isFinite(ts)) {
      skipped.push({ eventId: id, reason: "event has no origin_server_ts" });
      return;
    }
    const ev = r as CheckedRawEvent;
    const redacted = isRedactedCopy(ev);
    if (redacted || (type === ROOM_REDACTION && redactsOf(ev) !== undefined)) marked.push(id);
    const seen = events.get(id);
    if (seen === undefined) {
      events.set(id, ev);
      // while the event is in the cache: a caller reading every event once needs no other pass
      if (onFirstCopy !== undefined) onFirstCopy(ev);
    } else if (redacted && !isRedactedCopy(seen)) {
      events.set(id, ev);
      (replaced ??= new Set()).add(id);
    }
  };
  // An array (the usual input) is walked by index: no iterator result object per event.
  if (Array.isArray(raw)) for (let i = 0; i < raw.length; i++) visit(raw[i]);
  else for (const r of raw) visit(r);
  const redacted = new Set<string>();
  for (const id of marked) {
    const ev = events.get(id);
    if (ev === undefined) continue;
    if (isRedactedCopy(ev)) {
      redacted.add(id);
      continue;
    }
    const targetId = redactsOf(ev);
    if (targetId === undefined) continue;
    const target = events.get(targetId);
    if (target && (target.sender === ev.sender || userLevel(levels, ev.sender) >= levels.redact)) redacted.add(targetId);
  }
  return { events, redacted, replaced, skipped };
}
