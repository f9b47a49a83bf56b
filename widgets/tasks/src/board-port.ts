// What the board needs from the widget API, as a narrow port: the store is unit-tested with an
// in-memory fake, and the widget-kit session adapter below is the only code touching the API.
import type { IRoomEvent } from "matrix-widget-api";
import type { WidgetSession } from "../../kit/src/widget-session.ts";
import { defineEvent } from "../../kit/src/typed-events.ts";

/** A room event as the widget API hands it over (decrypted by the client). */
export type RawEvent = Record<string, unknown> & { event_id: string; type: string; sender: string };

export interface BoardPort {
  /** Current state event content of (type, stateKey) and its sender, or undefined. */
  readState(type: string, stateKey: string): Promise<RawEvent | undefined>;
  /** Every event related to `eventId` by `relType` with type `eventType` (all pages). */
  relations(eventId: string, relType: string, eventType: string): Promise<RawEvent[]>;
  /** The latest `limit` such events, one request (newest first). */
  recent(eventId: string, relType: string, eventType: string, limit: number): Promise<RawEvent[]>;
  send(type: string, content: Record<string, unknown>): Promise<string>;
  /** Live events pushed by the client; returns an unsubscribe. */
  onEvent(listener: (ev: RawEvent) => void): () => void;
}

function isRaw(v: unknown): v is RawEvent {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e["event_id"] === "string" && typeof e["type"] === "string" && typeof e["sender"] === "string";
}

const PAGE = 100;
const MAX_PAGES = 1000;
const anyContent = (c: unknown): Record<string, unknown> | undefined => (typeof c === "object" && c !== null && !Array.isArray(c) ? (c as Record<string, unknown>) : undefined);

export function sessionPort(session: WidgetSession, liveTypes: readonly string[]): BoardPort {
  const api = session.api;
  return {
    async readState(type, stateKey) {
      const events: unknown[] = await api.readStateEvents(type, 1, stateKey);
      return events.find(isRaw);
    },
    async relations(eventId, relType, eventType) {
      const out: RawEvent[] = [];
      let from: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        // Forward from the start, so the pages come in order; the client decrypts them (Element
        // and ours do when the event type is given).
        const r = await api.readEventRelations(eventId, undefined, relType, eventType, PAGE, from, undefined, "f");
        for (const e of r.chunk as unknown[]) if (isRaw(e)) out.push(e);
        from = r.next_batch ?? undefined;
        if (from === undefined || r.chunk.length === 0) break;
      }
      return out;
    },
    async recent(eventId, relType, eventType, limit) {
      const r = await api.readEventRelations(eventId, undefined, relType, eventType, limit, undefined, undefined, "b");
      return (r.chunk as unknown[]).filter(isRaw);
    },
    async send(type, content) {
      const r = await api.sendRoomEvent(type, content);
      return r.event_id ?? "";
    },
    onEvent(listener) {
      const offs = liveTypes.map((t) => session.onEvent(defineEvent(t, anyContent), (e) => {
        const raw: RawEvent = { event_id: e.eventId, type: t, sender: e.sender, origin_server_ts: e.originServerTs, content: e.content };
        if (e.stateKey !== undefined) raw["state_key"] = e.stateKey;
        listener(raw);
      }));
      return () => offs.forEach((off) => off());
    },
  };
}

export type { IRoomEvent };
