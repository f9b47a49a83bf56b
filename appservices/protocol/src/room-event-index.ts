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
  redacted: Set<string>;
  /**
   * Ids whose first copy was replaced by a later redacted copy (rare), with that copy:
   * `onFirstCopy` saw the first copy, the redacted one is the event.
   */
  replaced: Map<string, CheckedRawEvent> | undefined;
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

/** Why a raw event is not an event at all (as `prepareEvents` says it), or undefined when it is one. */
function envelopeProblem(r: JsonObject): string | undefined {
  const id = r["event_id"];
  if (typeof id !== "string" || id.length === 0) return "event has no event_id";
  if (typeof r["type"] !== "string" || typeof r["sender"] !== "string") return "event has no type or sender";
  const ts = r["origin_server_ts"];
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "event has no origin_server_ts";
  return undefined;
}

/**
 * Deduplicates by event id (the same event delivered twice, by /sync and by /relations, counts
 * once; the first copy is kept, unless a later copy is marked redacted and it is not) and collects
 * redactions. A redaction counts when its sender sent the target or holds the room's `redact`
 * level, as clients judge it. Malformed events are skipped with the reason `prepareEvents` gives.
 * `onFirstCopy` is called with the first copy of each event id, as it is met.
 *
 * One pass with a `Set` of ids (one hash operation per event) and no map of the events: only the
 * redaction rules need to read an event by id, and they concern the few events marked in that
 * pass (redacted copies, redactions, their targets), read again in a second pass when there are
 * any (`resolveRedactions`).
 */
export function indexRoomEvents(raw: Iterable<unknown>, levels: RoomPowerLevels, onFirstCopy?: (ev: CheckedRawEvent) => void): RoomEventIndex {
  const indexer = new RoomEventIndexer(onFirstCopy);
  indexer.add(raw);
  return indexer.finish(levels);
}

/**
 * indexRoomEvents in parts: `add` each batch as it arrives (a list read page by page), then
 * `finish` once. The same rules and the same result as one call on the batches joined in order.
 */
export class RoomEventIndexer {
  readonly #seen = new Set<string>();
  readonly #skipped: SkippedEvent[] = [];
  // Ids of the events the redaction pass must look at (redacted copies, redactions), usually none.
  readonly #marked: string[] = [];
  readonly #lists: (readonly unknown[])[] = [];
  readonly #onFirstCopy: ((ev: CheckedRawEvent) => void) | undefined;

  constructor(onFirstCopy?: (ev: CheckedRawEvent) => void) {
    this.#onFirstCopy = onFirstCopy;
  }

  add(raw: Iterable<unknown>): void {
    // An array (the usual input) is walked by index: no iterator result object per event; any
    // other iterable is read once into an array, as the redaction pass may read it again.
    const list: readonly unknown[] = Array.isArray(raw) ? raw : Array.from(raw);
    this.#lists.push(list);
    const seen = this.#seen;
    const skipped = this.#skipped;
    const marked = this.#marked;
    const onFirstCopy = this.#onFirstCopy;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (!isObject(r)) {
        skipped.push({ eventId: "?", reason: "event is not an object" });
        continue;
      }
      const id = r["event_id"];
      const type = r["type"];
      const sender = r["sender"];
      const ts = r["origin_server_ts"];
      if (typeof id !== "string" || id.length === 0 || typeof type !== "string" || typeof sender !== "string" || typeof ts !== "number" || !Number.isFinite(ts)) {
        skipped.push({ eventId: typeof id === "string" ? id : "?", reason: envelopeProblem(r) as string });
        continue;
      }
      const ev = r as CheckedRawEvent;
      if (isRedactedCopy(ev) || (type === ROOM_REDACTION && redactsOf(ev) !== undefined)) marked.push(id);
      const before = seen.size;
      // while the event is in the cache: a caller reading every event once needs no other pass
      if (seen.add(id).size !== before && onFirstCopy !== undefined) onFirstCopy(ev);
    }
  }

  /** The index of everything added (call once). */
  finish(levels: RoomPowerLevels): RoomEventIndex {
    const skipped = this.#skipped;
    if (this.#marked.length === 0) return { redacted: new Set(), replaced: undefined, skipped };
    const list = this.#lists.length === 1 ? (this.#lists[0] as readonly unknown[]) : this.#lists.flat();
    return { ...resolveRedactions(list, this.#marked, levels), skipped };
  }
}

/**
 * The redaction rules on the kept copy of each marked id: a kept redacted copy is redacted; a kept
 * redaction redacts its target when its sender sent the target's kept copy or holds the `redact`
 * level. Reads the events again, keeping only the copies of the marked ids and of the targets.
 */
function resolveRedactions(list: readonly unknown[], marked: readonly string[], levels: RoomPowerLevels): Pick<RoomEventIndex, "redacted" | "replaced"> {
  const wanted = new Set(marked);
  for (const r of list) {
    // every copy's target: a superset of the kept copies' targets
    if (isObject(r) && typeof r["event_id"] === "string" && wanted.has(r["event_id"]) && envelopeProblem(r) === undefined) {
      const target = redactsOf(r);
      if (target !== undefined) wanted.add(target);
    }
  }
  const kept = new Map<string, CheckedRawEvent>();
  let replaced: Map<string, CheckedRawEvent> | undefined;
  for (const r of list) {
    if (!isObject(r) || typeof r["event_id"] !== "string" || !wanted.has(r["event_id"]) || envelopeProblem(r) !== undefined) continue;
    const ev = r as CheckedRawEvent;
    const first = kept.get(ev.event_id);
    if (first === undefined) kept.set(ev.event_id, ev);
    else if (isRedactedCopy(ev) && !isRedactedCopy(first)) {
      kept.set(ev.event_id, ev);
      (replaced ??= new Map()).set(ev.event_id, ev);
    }
  }
  const redacted = new Set<string>();
  for (const id of marked) {
    const ev = kept.get(id);
    if (ev === undefined) continue;
    if (isRedactedCopy(ev)) {
      redacted.add(id);
      continue;
    }
    const targetId = redactsOf(ev);
    if (targetId === undefined) continue;
    const target = kept.get(targetId);
    if (target && (target.sender === ev.sender || userLevel(levels, ev.sender) >= levels.redact)) redacted.add(targetId);
  }
  return { redacted, replaced };
}
