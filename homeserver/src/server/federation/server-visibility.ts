// History visibility for other servers: what a council may read of a room's past through
// /event, /backfill and /get_missing_events. An event is visible to a server when the room's
// history_visibility at the event is world_readable or shared, or when one of the server's users
// was joined (or invited, for "invited") at that event. Invisible events are handed out redacted
// where the DAG must stay walkable. Spec: https://spec.matrix.org/v1.16/client-server-api/#history-visibility
import type { Pdu, StateKey } from "../../room/pdu.ts";
import { splitStateKey, stateKeyOf } from "../../room/pdu.ts";
import { redactPdu } from "../../room/redaction.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { EventStore, StoredEventRow } from "../../storage/event-store.ts";

export class ServerVisibility {
  private readonly events: EventStore;
  private readonly server: string;
  private readonly version: RoomVersion;
  private readonly cache = new Map<number, boolean>();

  constructor(deps: { events: EventStore; server: string; version: RoomVersion }) {
    this.events = deps.events;
    this.server = deps.server;
    this.version = deps.version;
  }

  async canSee(row: StoredEventRow): Promise<boolean> {
    const group = row.stateGroupBefore ?? row.stateGroup;
    if (group === undefined) return false;
    const hit = this.cache.get(group);
    if (hit !== undefined) return hit;
    const visible = await this.visibleAt(await this.events.stateMapOfGroup(group));
    this.cache.set(group, visible);
    return visible;
  }

  /** The PDU as this server may receive it: whole, or redacted when it may not see the content. */
  async pduFor(row: StoredEventRow): Promise<Pdu> {
    return (await this.canSee(row)) ? row.event.pdu : redactPdu(row.event.pdu, this.version);
  }

  private async visibleAt(state: ReadonlyMap<StateKey, string>): Promise<boolean> {
    const hvId = state.get(stateKeyOf("m.room.history_visibility", ""));
    const hv = hvId ? (await this.events.getEvent(hvId))?.event.pdu.content["history_visibility"] : "shared";
    if (hv === "world_readable" || hv === "shared") return true;
    const memberIds: string[] = [];
    for (const [k, id] of state) {
      const [type, userId] = splitStateKey(k);
      if (type === "m.room.member" && serverNameOf(userId) === this.server) memberIds.push(id);
    }
    const rows = await this.events.getEvents(memberIds);
    for (const r of rows.values()) {
      const m = r.event.pdu.content["membership"];
      if (m === "join" || (hv === "invited" && m === "invite")) return true;
    }
    return false;
  }
}
