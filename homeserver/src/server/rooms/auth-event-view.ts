// The form of a stored event that event auth uses: its redacted form once it was redacted. The
// stored JSON keeps the original content (redaction only marks the row), but "when redacted, state
// events behave as though their properties were simply not specified, except those protected by
// the redaction algorithm" (https://spec.matrix.org/v1.16/client-server-api/#redactions), and
// Synapse authorises against redacted auth events too (its event reads prune by default). In
// room versions 1 to 10 this matters: a redacted m.room.power_levels loses `invite` (back to 0), a
// redacted m.room.create loses `m.federate`. State resolution is left on the stored form, as
// Synapse's (which reads events as they are stored there).
import type { RoomEvent } from "../../room/pdu.ts";
import { redactPdu } from "../../room/redaction.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";

export function authEventOf(row: Pick<StoredEventRow, "event" | "redactedBy">, version: RoomVersion): RoomEvent {
  return row.redactedBy === undefined ? row.event : { eventId: row.event.eventId, pdu: redactPdu(row.event.pdu, version) };
}
