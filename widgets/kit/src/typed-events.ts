// Typed room events for widgets: a schema names the event type (and msgtype) and parses the
// content; whatever the client hands over is parsed before our code sees it, and events that do
// not parse are dropped, not crashed on (another client may send a newer or broken shape).
import type { IRoomEvent } from "matrix-widget-api";

export interface EventSchema<T> {
  type: string;
  /** For m.room.message-based protocols: the msgtype the capability is scoped to. */
  msgtype?: string;
  parse(content: unknown): T | undefined;
}

export interface TypedRoomEvent<T> {
  eventId: string;
  roomId: string;
  sender: string;
  originServerTs: number;
  stateKey: string | undefined;
  content: T;
}

export function defineEvent<T>(type: string, parse: (content: unknown) => T | undefined, msgtype?: string): EventSchema<T> {
  return msgtype === undefined ? { type, parse } : { type, msgtype, parse };
}

/** The envelope fields come from the client too: checked like the content. */
export function toTypedEvent<T>(schema: EventSchema<T>, raw: unknown): TypedRoomEvent<T> | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const ev = raw as Partial<Record<keyof IRoomEvent, unknown>>;
  if (ev.type !== schema.type) return undefined;
  if (typeof ev.event_id !== "string" || typeof ev.room_id !== "string" || typeof ev.sender !== "string") return undefined;
  const content: unknown = ev.content;
  if (schema.msgtype !== undefined && (typeof content !== "object" || content === null || (content as Record<string, unknown>)["msgtype"] !== schema.msgtype)) {
    return undefined;
  }
  const parsed = schema.parse(content);
  if (parsed === undefined) return undefined;
  return {
    eventId: ev.event_id,
    roomId: ev.room_id,
    sender: ev.sender,
    originServerTs: typeof ev.origin_server_ts === "number" ? ev.origin_server_ts : 0,
    stateKey: typeof ev.state_key === "string" ? ev.state_key : undefined,
    content: parsed,
  };
}

export function toTypedEvents<T>(schema: EventSchema<T>, raws: readonly unknown[]): TypedRoomEvent<T>[] {
  return raws.flatMap((r) => {
    const t = toTypedEvent(schema, r);
    return t === undefined ? [] : [t];
  });
}
