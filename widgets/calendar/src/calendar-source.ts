// The widget API side of the model: what the widget asks for, what it reads at start (state, the
// client's timeline, and the anchor's relations for history the timeline does not hold), the
// events pushed live, and what it sends. Encrypted rooms: the client decrypts; relations come back
// encrypted and are filtered out by the client's capability check, so there the timeline is it.
// https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/2762-widget-event-receiving.md
import { EventDirection, WidgetEventCapability, type Capability, type IRoomEvent } from "matrix-widget-api";
import type { WidgetSession } from "../../kit/src/widget-session.ts";
import { CALENDAR_STATE, EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE, ROOM_MESSAGE, type JsonObject } from "./protocol.ts";
import { CalendarModel, POWER_LEVELS, ROOM_CREATE, ROOM_MEMBER, ROOM_WIDGET_EVENT } from "./calendar-model.ts";

const cap = (dir: EventDirection, type: string, msgtype?: string): Capability =>
  (msgtype === undefined ? WidgetEventCapability.forRoomEvent(dir, type) : WidgetEventCapability.forRoomMessageEvent(dir, msgtype)).raw;
const state = (type: string): Capability => WidgetEventCapability.forStateEvent(EventDirection.Receive, type).raw;

/** Read and write the calendar's events; read the binding, power levels, creators, the room's widgets (meetings) and its members (names). */
export const CALENDAR_CAPABILITIES: readonly Capability[] = [
  cap(EventDirection.Receive, ROOM_MESSAGE, EVENT_MSGTYPE), cap(EventDirection.Send, ROOM_MESSAGE, EVENT_MSGTYPE),
  cap(EventDirection.Receive, EVENT_UPDATE), cap(EventDirection.Send, EVENT_UPDATE),
  cap(EventDirection.Receive, EVENT_RSVP), cap(EventDirection.Send, EVENT_RSVP),
  state(CALENDAR_STATE), state(POWER_LEVELS), state(ROOM_CREATE), state(ROOM_WIDGET_EVENT), state(ROOM_MEMBER),
];

export const canWrite = (session: WidgetSession): boolean =>
  [cap(EventDirection.Send, ROOM_MESSAGE, EVENT_MSGTYPE), cap(EventDirection.Send, EVENT_UPDATE), cap(EventDirection.Send, EVENT_RSVP)].every((c) => session.has(c));

const TIMELINE_LIMIT = 1000;
const MAX_ROOTS_FOLLOWED = 200;

export class CalendarSource {
  readonly model = new CalendarModel();
  readonly #session: WidgetSession;
  readonly #listeners = new Set<() => void>();

  constructor(session: WidgetSession) {
    this.#session = session;
    session.api.on("action:send_event", (ev: CustomEvent<{ data: unknown }>) => {
      // The kit's session answers the client; we only listen.
      if (this.model.add(ev.detail.data)) this.#changed();
    });
    // Room state the client pushes (update_state, matrix-widget-api 1.19): members among it.
    session.onStatePush((state) => {
      let changed = false;
      for (const e of state) changed = this.model.add(e) || changed;
      if (changed) this.#changed();
    });
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  async load(): Promise<void> {
    const api = this.#session.api;
    const reads: Array<Promise<IRoomEvent[]>> = [
      api.readStateEvents(CALENDAR_STATE, 50), api.readStateEvents(POWER_LEVELS, 1, ""), api.readStateEvents(ROOM_CREATE, 1, ""), api.readStateEvents(ROOM_WIDGET_EVENT, 100), api.readStateEvents(ROOM_MEMBER, 1000),
      api.readRoomEvents(ROOM_MESSAGE, TIMELINE_LIMIT, EVENT_MSGTYPE), api.readRoomEvents(EVENT_UPDATE, TIMELINE_LIMIT), api.readRoomEvents(EVENT_RSVP, TIMELINE_LIMIT),
    ];
    for (const r of await Promise.allSettled(reads)) if (r.status === "fulfilled") for (const e of r.value) this.model.add(e);
    this.#changed();
    await this.#loadRelations();
  }

  /** History beyond the client's timeline: the anchor's roots, then each root's updates and RSVPs. */
  async #loadRelations(): Promise<void> {
    const binding = this.model.binding();
    if (binding === undefined) return;
    const api = this.#session.api;
    try {
      const roots = await api.readEventRelations(binding.anchor, undefined, "m.reference", ROOM_MESSAGE, 500);
      for (const e of roots.chunk) this.model.add(e);
      for (const e of roots.chunk.slice(0, MAX_ROOTS_FOLLOWED)) {
        const related = await api.readEventRelations(e.event_id, undefined, "m.reference", undefined, 500);
        for (const r of related.chunk) this.model.add(r);
      }
    } catch {
      // A client without read_relations (or an old server): the timeline is what we have.
    }
    this.#changed();
  }

  /** Sends and folds the event at once (the client's echo later is a duplicate). */
  async send(type: string, content: JsonObject): Promise<string> {
    const r = await this.#session.api.sendRoomEvent(type, content);
    const id = r.event_id ?? "";
    if (id !== "") {
      this.model.add({ type, event_id: id, room_id: r.room_id, sender: this.#session.params.userId ?? "", origin_server_ts: Date.now(), content });
      this.#changed();
    }
    return id;
  }
}
