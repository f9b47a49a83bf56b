// Test support (not a test file): a seeded PRNG and raw-event factories, so property tests are
// reproducible from the seed they print on failure.
import { ROOM_MESSAGE, ROOM_REDACTION, TASK_UPDATE } from "./event-types.ts";
import type { JsonObject } from "./parse.ts";

/** mulberry32: tiny, fast, good enough to shuffle test inputs; NOT for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
export const int = (rand: () => number, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

export function shuffled<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface RawEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: JsonObject;
  unsigned?: JsonObject;
  redacts?: string;
}

export function rawEvent(eventId: string, type: string, sender: string, ts: number, content: JsonObject): RawEvent {
  return { event_id: eventId, type, sender, origin_server_ts: ts, content };
}

export const rootEvent = (id: string, sender: string, ts: number, content: JsonObject): RawEvent => rawEvent(id, ROOM_MESSAGE, sender, ts, content);
export const updateEvent = (id: string, sender: string, ts: number, content: JsonObject): RawEvent => rawEvent(id, TASK_UPDATE, sender, ts, content);

export function redactionEvent(id: string, sender: string, ts: number, target: string): RawEvent {
  return { ...rawEvent(id, ROOM_REDACTION, sender, ts, { redacts: target }), redacts: target };
}

/** What a server sends for a redacted event: content stripped, unsigned.redacted_because set. */
export function redactedCopy(ev: RawEvent, by: string): RawEvent {
  return { ...ev, content: {}, unsigned: { redacted_because: { event_id: by } } };
}
