// One room's section of a /sync response: timeline, state delta, ephemeral and account data.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3sync
import type { JsonObject } from "../../room/pdu.ts";
import { splitStateKey, stateKeyOf, type StateKey } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import type { ServerContext } from "../context.ts";
import { clientEvent } from "../rooms/client-event.ts";
import { prevStates, type PrevState } from "../rooms/prev-content.ts";
import { stateKeyOfRow } from "../../storage/event-columns.ts";
import { matchesEventFilter, type SyncFilter } from "./sync-filter.ts";
import { timelineWindow } from "./timeline-window.ts";
import { incrementalRoomDelta, type RoomDelta } from "./room-delta-cache.ts";
import type { EventRange } from "./event-range.ts";
import { projectEvent } from "./event-fields.ts";
import { hiddenByIgnore } from "../users/ignored-users.ts";
import { LazyMembersSent } from "./lazy-members-sent.ts";

export interface RoomSyncInput {
  roomId: string;
  version: RoomVersion;
  userId: string;
  /** Events the client already has up to here (0 = none: full state). */
  since: number;
  /** Upper bound of the timeline (current position, or the user's leave event). */
  upTo: number;
  filter: SyncFilter;
  now: number;
  /**
   * The client transaction ids of the user's events since the token (this device's), read on first
   * need: only a section holding an event the user sent asks for them.
   */
  txnIds: () => Promise<ReadonlyMap<string, string>>;
  /** full_state=true: the state section holds the complete state at the timeline start, not a delta. */
  fullState?: boolean;
  /** Senders the user ignores (m.ignored_user_list): their non-state events stay out of the timeline. */
  ignored?: ReadonlySet<string>;
  /**
   * The syncing device (user and device id), for lazy-loaded members: member events it was sent are
   * not sent again (lazy-members-sent.ts). Without it every timeline sender's member event is sent.
   */
  device?: string;
  /** The events since the /sync's token read with its positions, when they hold all of them (event-range.ts). */
  range?: EventRange;
}

/** Per server: the member events each device was sent (lazy-loading members). */
const membersSent = new WeakMap<ServerContext, LazyMembersSent>();
const membersSentOf = (s: ServerContext): LazyMembersSent => {
  let m = membersSent.get(s);
  if (m === undefined) membersSent.set(s, m = new LazyMembersSent());
  return m;
};

export interface RoomTimeline {
  timeline: { events: JsonObject[]; limited: boolean; prev_batch: string };
  state: { events: JsonObject[] };
  empty: boolean;
}

const DEFAULT_LIMIT = 20;
const NO_TXN_IDS: ReadonlyMap<string, string> = new Map();
const NO_PREVS: ReadonlyMap<string, PrevState> = new Map();

export async function roomTimeline(s: ServerContext, inp: RoomSyncInput): Promise<RoomTimeline> {
  const limit = inp.filter.timeline.limit ?? DEFAULT_LIMIT;
  const events = s.stores.events;
  const ignored = inp.ignored ?? new Set<string>();
  // State at the start of the timeline, minus what the client already had at `since`.
  const { rows, limited, startState, known } = await roomDelta(s, inp, limit);
  const shown = rows.filter((r) => matchesEventFilter(inp.filter.timeline, r.event.pdu.type, r.event.pdu.sender) && !hiddenByIgnore(r.event.pdu, inp.userId, ignored));
  const firstStream = rows[0]?.stream ?? inp.upTo + 1;
  const inTimeline = new Set(rows.map((r) => r.event.eventId));
  let stateIds = [...startState].filter(([k, id]) => known.get(k) !== id && !inTimeline.has(id));
  if (inp.filter.lazyLoadMembers) {
    const fresh = inp.since === 0 || inp.fullState === true;
    const senders = new Set([...shown.map((r) => r.event.pdu.sender), inp.userId]);
    stateIds = stateIds.filter(([k]) => {
      const [type, key] = splitStateKey(k);
      return type !== "m.room.member" || senders.has(key) || fresh && key === inp.userId;
    });
    // The members of the timeline's senders, unless the client has them: on an initial sync it has
    // none; on an incremental one, those this device was sent (the user's own only on a fresh sync,
    // as before). Without this a sender whose member event the client never got stayed a bare id.
    const sent = inp.device === undefined || inp.filter.includeRedundantMembers ? undefined : membersSentOf(s);
    for (const u of senders) {
      if (!fresh && u === inp.userId) continue;
      const id = startState.get(stateKeyOf("m.room.member", u));
      if (id === undefined || stateIds.some(([, x]) => x === id) || inTimeline.has(id)) continue;
      if (!fresh && sent !== undefined && inp.device !== undefined && sent.has(inp.device, inp.roomId, u, id, inp.since)) continue;
      stateIds.push([stateKeyOf("m.room.member", u), id]);
    }
  }
  const stateRows = await events.getEvents(stateIds.map(([, id]) => id));
  // a transaction id goes only on the user's own events (event_txns rows are the sender's)
  const own = shown.some((r) => r.event.pdu.sender === inp.userId) || [...stateRows.values()].some((r) => r.event.pdu.sender === inp.userId);
  const txnIds = own ? await inp.txnIds() : NO_TXN_IDS;
  // the replaced state of the timeline's state events (not of the state section's: an initial
  // sync's state would look up every member's previous event; clients word timeline changes)
  const prevs = shown.some((r) => stateKeyOfRow(r) !== undefined) ? await prevStates(events, shown, inp.version) : NO_PREVS;
  const fmt = (r: StoredEventRow): JsonObject => {
    const txn = txnIds.get(r.event.eventId);
    const e = clientEvent(r, { now: inp.now, version: inp.version, withRoomId: false, prev: prevs.get(r.event.eventId), ...(txn ? { transactionId: txn } : {}) });
    return inp.filter.eventFields ? projectEvent(e, inp.filter.eventFields) : e;
  };
  if (inp.filter.lazyLoadMembers && inp.device !== undefined) {
    const members = [...shown, ...stateRows.values()].flatMap((r): [string, string][] =>
      r.event.pdu.type === "m.room.member" && typeof r.event.pdu.state_key === "string" ? [[r.event.pdu.state_key, r.event.eventId]] : []);
    membersSentOf(s).record(inp.device, inp.roomId, members, inp.upTo, inp.since === 0 || inp.fullState === true);
  }
  return {
    timeline: { events: shown.map(fmt), limited, prev_batch: `t${firstStream}` },
    state: { events: [...stateRows.values()].map(fmt) },
    empty: rows.length === 0 && stateRows.size === 0,
  };
}

/** The events and the state around them; an incremental sync's are shared by all users (room-delta-cache.ts). */
async function roomDelta(s: ServerContext, inp: RoomSyncInput, limit: number): Promise<RoomDelta> {
  if (inp.since > 0 && !inp.fullState) return incrementalRoomDelta(s.stores.events, { roomId: inp.roomId, since: inp.since, upTo: inp.upTo, limit }, inp.range);
  const events = s.stores.events;
  const { rows, limited } = await timelineWindow(s, { roomId: inp.roomId, userId: inp.userId, since: inp.since, upTo: inp.upTo, limit, ...(inp.ignored ? { ignored: inp.ignored } : {}) });
  // the state before the first timeline event (a room joined over federation has only outliers before it)
  const firstStream = rows[0]?.stream ?? inp.upTo + 1;
  const startGroup = rows[0]?.stateGroupBefore ?? (await events.stateGroupAt(inp.roomId, firstStream - 1));
  const startState = startGroup === undefined ? new Map<StateKey, string>() : await events.stateMapOfGroup(startGroup);
  return { rows, limited, startState, known: new Map() };
}

/** m.receipt EDU content for the receipts of a room. */
export function receiptContent(receipts: { receiptType: string; userId: string; threadId: string; eventId: string; ts: number }[], me: string): JsonObject {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  for (const r of receipts) {
    if (r.receiptType === "m.read.private" && r.userId !== me) continue;
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = r.threadId ? { ts: r.ts, thread_id: r.threadId } : { ts: r.ts };
  }
  return content as JsonObject;
}
