// What the board needs from the widget API, as a narrow port: the store is unit-tested with an
// in-memory fake, and the widget-kit session adapter below is the only code touching the API.
import {
  WidgetApiFromWidgetAction, type IReadRelationsFromWidgetRequestData, type IReadRelationsFromWidgetResponseData, type IRoomEvent,
} from "matrix-widget-api";
import type { WidgetSession } from "../../kit/src/widget-session.ts";
import { defineEvent } from "../../kit/src/typed-events.ts";
import { measureSince, now } from "./load-marks.ts";
import { quietTransport } from "../../kit/src/quiet-transport.ts";
import { answerChunk, CHUNK_BYTES, CHUNK_JSON, LEAN_EVENTS } from "../../kit/src/chunk-json.ts";

/** A room event as the widget API hands it over (decrypted by the client). */
export type RawEvent = Record<string, unknown> & { event_id: string; type: string; sender: string };

export interface BoardPort {
  /** Current state event content of (type, stateKey) and its sender, or undefined. */
  readState(type: string, stateKey: string): Promise<RawEvent | undefined>;
  /** The room's m.room.member events (every state key) the client gives. */
  members(): Promise<RawEvent[]>;
  /** Every event related to `eventId` by `relType` with type `eventType` (all pages). */
  relations(eventId: string, relType: string, eventType: string): Promise<RawEvent[]>;
  /**
   * Every event related to `eventId` by `relType`, directly or through related events (the spec's
   * `recurse`), any event type, all pages; undefined when the client did not recurse (it does not
   * know the parameter: the caller falls back to one request per level). `onPage` sees each
   * answer's events as soon as it is decoded, while the client reads the next page ahead.
   */
  relationTree(eventId: string, relType: string, onPage?: (events: RawEvent[]) => void): Promise<RawEvent[] | undefined>;
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
/**
 * Events asked for per recursive read: our client gathers them from the server's pages (1,000
 * each) into one answer, so a 2,000-task board (22,000 events) is 3 round trips to the client,
 * not 22; each stays well inside the widget API's 10 s timeout. A client that does not recurse
 * ignores it (the board then reads another way).
 */
export const TREE_PAGE = 10_000;
const MAX_PAGES = 1000;
const anyContent = (c: unknown): Record<string, unknown> | undefined => (typeof c === "object" && c !== null && !Array.isArray(c) ? (c as Record<string, unknown>) : undefined);

/**
 * Room state as the client pushes it (`update_state`, MSC2762's newer form, which matrix-widget-api
 * 1.19 clients use: Element's and ours). With it, `read_events` for a state type reads the
 * *timeline* only, so a list set up long ago is not found there; the pushed state is.
 */
class PushedState {
  readonly #events = new Map<string, RawEvent>();
  readonly #listeners = new Set<(e: RawEvent) => void>();
  /** Whether the client has pushed state yet, and a promise of its first push. */
  received = false;
  readonly #first: Promise<void>;
  constructor(session: WidgetSession) {
    let pushed = (): void => undefined;
    this.#first = new Promise<void>((r) => (pushed = r));
    // The kit's session acknowledges the push (once: a second reply here would answer it twice).
    session.onStatePush((state) => {
      this.received = true;
      pushed();
      for (const e of state) {
        if (!isRaw(e) || typeof e["state_key"] !== "string") continue;
        this.#events.set(`${e.type}\u0000${e["state_key"]}`, e);
        for (const l of this.#listeners) l(e);
      }
    });
  }
  /** The client's first push, or `ms` later for a client that never pushes. */
  firstPush(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([this.#first, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
  }
  all(type: string): RawEvent[] {
    return [...this.#events.values()].filter((e) => e.type === type);
  }
  get(type: string, stateKey: string): RawEvent | undefined {
    return this.#events.get(`${type}\u0000${stateKey}`);
  }
  on(l: (e: RawEvent) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}

/** Call right after the session starts: the client pushes the room state as soon as capabilities are granted. */
export function sessionPort(session: WidgetSession, liveTypes: readonly string[]): BoardPort {
  const api = session.api;
  quietTransport(api.transport);
  const pushed = new PushedState(session);
  return {
    async readState(type, stateKey) {
      const known = pushed.get(type, stateKey);
      if (known !== undefined) return known;
      const events: unknown[] = await api.readStateEvents(type, 1, stateKey);
      const found = pushed.get(type, stateKey) ?? events.find(isRaw);
      if (found !== undefined || pushed.received) return found;
      // Asked before the client's push arrived (read_events reads only the timeline): wait for the
      // push rather than say "no list" and load again when it comes.
      await pushed.firstPush(3000);
      return pushed.get(type, stateKey);
    },
    async members() {
      // Pushed state first (the whole member list), then what read_events finds in the timeline.
      const byKey = new Map<string, RawEvent>();
      const read: unknown[] = await api.readStateEvents("m.room.member", 1000).catch(() => []);
      for (const e of read) if (isRaw(e) && typeof e["state_key"] === "string") byKey.set(e["state_key"], e);
      for (const e of pushed.all("m.room.member")) byKey.set(String(e["state_key"]), e);
      return [...byKey.values()];
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
    async relationTree(eventId, relType, onPage) {
      type Answer = IReadRelationsFromWidgetResponseData & { recursion_depth?: unknown };
      // matrix-widget-api's readEventRelations has no `recurse`: the same action with the spec's
      // parameter added. A client that knows it answers with `recursion_depth` (as /relations
      // does); one that does not ignores it and answers with direct relations only. The board
      // needs only the events' own fields: lean events, where the client and server know them.
      const ask = (from: string | undefined): Promise<Answer> => {
        const data: IReadRelationsFromWidgetRequestData & { recurse: boolean; [CHUNK_JSON]: typeof CHUNK_BYTES; [LEAN_EVENTS]: boolean } = {
          event_id: eventId, rel_type: relType, limit: TREE_PAGE, direction: "f", recurse: true, [CHUNK_JSON]: CHUNK_BYTES, [LEAN_EVENTS]: true, ...(from === undefined ? {} : { from }),
        };
        const asked = now();
        return api.transport.send<typeof data, Answer>(WidgetApiFromWidgetAction.MSC3869ReadRelations, data).then((r) => {
          measureSince("page", asked);
          return r;
        });
      };
      const out: RawEvent[] = [];
      let pending = ask(undefined);
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await pending;
        if (page === 0 && typeof r.recursion_depth !== "number") return undefined;
        // A page may come back empty when the client kept only what the widget may receive.
        const from = r.next_batch ?? undefined;
        const events: RawEvent[] = [];
        for (const e of answerChunk(r as unknown as Record<string, unknown>)) if (isRaw(e)) events.push(e);
        for (const e of events) out.push(e);
        onPage?.(events);
        // Asked after this page is decoded and folded, not before: asked before, the request
        // waited in the client's busy main thread (609-1,211 ms summed against 52-211) and the read
        // took longer in the e2e bench (fetch + transfer 1,702 / 2,229 ms against 1,416 at load 6-7).
        if (from !== undefined) pending = ask(from);
        if (from === undefined) break;
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
      // Pushed state comes as live events too: a list pushed after the first read is still seen.
      offs.push(pushed.on((e) => { if (liveTypes.includes(e.type)) listener(e); }));
      return () => offs.forEach((off) => off());
    },
  };
}

export type { IRoomEvent };
