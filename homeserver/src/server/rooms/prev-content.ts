// The state an event replaced, for the client event's `unsigned`: `prev_content` (the previous
// state event's content, redacted if it was redacted), `replaces_state` and `prev_sender`, as
// Synapse writes them. Clients word state changes from it: Element reads a display-name change,
// an unban, a withdrawn invite from `prev_content`; without it every name change reads « X joined
// the room ». The previous event is the one at the same (type, state key) in the state before the
// event (its stored state group), so it is right across forks too.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#room-event-format (unsigned.prev_content)
import type { JsonObject } from "../../room/pdu.ts";
import { redactPdu } from "../../room/redaction.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { EventStore, StoredEventRow } from "../../storage/event-store.ts";
import { stateKeyOfRow, typeOfRow } from "../../storage/event-columns.ts";

export interface PrevState {
  eventId: string;
  sender: string;
  content: JsonObject;
}

/** The replaced state of each state event among `rows` that replaced one (none for others). */
export async function prevStates(events: Pick<EventStore, "stateIdAt" | "getEvents">, rows: Iterable<StoredEventRow>, version: RoomVersion): Promise<Map<string, PrevState>> {
  const prevOf = new Map<string, string>();
  for (const r of rows) {
    const key = stateKeyOfRow(r);
    if (key === undefined || r.redactedBy !== undefined || r.stateGroupBefore === undefined) continue;
    const prev = await events.stateIdAt(r.stateGroupBefore, typeOfRow(r), key);
    if (prev !== undefined && prev !== r.event.eventId) prevOf.set(r.event.eventId, prev);
  }
  const out = new Map<string, PrevState>();
  if (prevOf.size === 0) return out;
  const prevRows = await events.getEvents([...new Set(prevOf.values())]);
  for (const [id, prevId] of prevOf) {
    const p = prevRows.get(prevId);
    if (p === undefined) continue;
    const pdu = p.redactedBy !== undefined ? redactPdu(p.event.pdu, version) : p.event.pdu;
    out.set(id, { eventId: prevId, sender: pdu.sender, content: pdu.content });
  }
  return out;
}

/** Adds the replaced state to a client event's unsigned. */
export function addPrevState(unsigned: JsonObject, prev: PrevState | undefined): void {
  if (prev === undefined) return;
  unsigned["prev_content"] = prev.content;
  unsigned["replaces_state"] = prev.eventId;
  unsigned["prev_sender"] = prev.sender;
}
