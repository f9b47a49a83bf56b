// Client events written as JSON text, with the same JSON as clientEvent (client-event.ts) but
// without parsing what is only passed through: type, sender, state key, timestamp and room come
// from the columns stored beside the event, its `content` is spliced from the stored text. A page
// of 1,000 task events is then built without 1,000 JSON.parse and JSON.stringify of their
// contents (docs/perf/listfetch.md). Redacted events, redactions (`redacts`), create events and
// rows without their text go through the parsed PDU, as before.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#room-event-format
import { topLevelValueText } from "../../spec/json-text.ts";
import type { JsonObject } from "../../room/pdu.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { clientEvent, type ClientEventOptions } from "./client-event.ts";

/** The fields of the client event that come from the stored event, as JSON texts where spliced. */
interface Spliced {
  eventId: string;
  type: string;
  sender: string;
  content: string;
  originServerTs: number;
  roomId: string;
  stateKey: string | undefined;
}

/** The row's fields without parsing its JSON, or undefined when only the parsed PDU gives them exactly. */
function spliced(row: StoredEventRow): Spliced | undefined {
  const c = row.columns;
  if (c === undefined || row.json === undefined || row.redactedBy !== undefined) return undefined;
  // redactions carry `redacts`; a v12 create event has no room_id (client-event.ts derives it)
  if (c.type === "m.room.redaction" || c.type === "m.room.create") return undefined;
  // any event may carry a top-level `redacts` (clientEvent copies it): those are parsed
  if (row.json.includes('"redacts"')) return undefined;
  // the stored text is JSON.stringify's, which never repeats a key
  const content = topLevelValueText(row.json, "content");
  if (content === undefined) return undefined;
  return { eventId: row.event.eventId, type: c.type, sender: c.sender, content, originServerTs: c.originServerTs, roomId: c.roomId, stateKey: c.stateKey };
}

/**
 * The client event of `row` as JSON text, with room_id; `relations` is the JSON text of its
 * bundled aggregations (unsigned["m.relations"]) when it has any.
 */
export function clientEventText(row: StoredEventRow, opts: Omit<ClientEventOptions, "withRoomId">, relations?: string): string {
  // a state event with a replaced state (rare in a page) goes through the object path
  const fields = opts.prev === undefined ? spliced(row) : undefined;
  if (fields === undefined) {
    const ev = clientEvent(row, { ...opts, withRoomId: true });
    if (relations === undefined) return JSON.stringify(ev);
    // unsigned always holds age, so the bundle is appended after its last member
    const members = Object.entries(ev).map(([k, v]) => `${JSON.stringify(k)}:${k === "unsigned" ? `${JSON.stringify(v).slice(0, -1)},"m.relations":${relations}}` : JSON.stringify(v)}`);
    return `{${members.join(",")}}`;
  }
  let unsigned = `{"age":${Math.max(0, opts.now - fields.originServerTs)}`;
  if (opts.transactionId) unsigned += `,"transaction_id":${JSON.stringify(opts.transactionId)}`;
  if (relations !== undefined) unsigned += `,"m.relations":${relations}`;
  unsigned += "}";
  let out = `{"event_id":${JSON.stringify(fields.eventId)},"type":${JSON.stringify(fields.type)},"sender":${JSON.stringify(fields.sender)},`
    + `"content":${fields.content},"origin_server_ts":${fields.originServerTs},"unsigned":${unsigned},"room_id":${JSON.stringify(fields.roomId)}`;
  if (fields.stateKey !== undefined) out += `,"state_key":${JSON.stringify(fields.stateKey)}`;
  return out + "}";
}

/**
 * Our /relations extension `fr.entente.lean=true` (LEAN_EVENTS_PARAM): each event with only what a
 * reader of a whole list needs (event_id, type, sender, content, origin_server_ts, state_key,
 * redacts), without room_id (the request names the room) nor unsigned (age, transaction id,
 * bundled aggregations), except a redacted event's `unsigned.redacted_because`, so a reader still
 * tells a redacted event from a malformed one. A task list's 22,000 events are then ~1/3 fewer
 * bytes to send and parse, and the server skips the transaction-id and bundle queries. Servers
 * that do not know the parameter ignore it and send full events.
 */
export const LEAN_EVENTS_PARAM = "fr.entente.lean";

export function leanClientEventText(row: StoredEventRow, version: ClientEventOptions["version"]): string {
  const fields = spliced(row);
  if (fields === undefined) {
    const ev = clientEvent(row, { now: 0, version, withRoomId: false });
    const because = (ev["unsigned"] as JsonObject | undefined)?.["redacted_because"];
    if (because === undefined) delete ev["unsigned"];
    else ev["unsigned"] = { redacted_because: because };
    return JSON.stringify(ev);
  }
  let out = `{"event_id":${JSON.stringify(fields.eventId)},"type":${JSON.stringify(fields.type)},"sender":${JSON.stringify(fields.sender)},`
    + `"content":${fields.content},"origin_server_ts":${fields.originServerTs}`;
  if (fields.stateKey !== undefined) out += `,"state_key":${JSON.stringify(fields.stateKey)}`;
  return out + "}";
}
