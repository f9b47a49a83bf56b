// /sync: computes the response from stream positions; long-polls on the notifier when empty.
import type { JsonObject } from "../../room/pdu.ts";

import { getRoomVersion } from "../../room/room-versions.ts";
import type { ServerContext } from "../context.ts";
import type { Requester } from "../http/request-context.ts";
import { currentStrippedState, strippedEvent } from "../rooms/client-event.ts";
import { receiptContent, roomTimeline } from "./room-sync.ts";
import { roomsWithEventsShared } from "./room-delta-cache.ts";
import { matchesEventFilter, roomAllowed, type SyncFilter } from "./sync-filter.ts";
import { formatSyncToken, type SyncPosition } from "./sync-token.ts";
import { presenceEvents } from "./presence-sync.ts";
import { e2eeSyncSection } from "../e2ee/e2ee-sync.ts";
import { roomSummary } from "./room-summary.ts";
import { forgottenRooms, streamPositions, syncPositions } from "../../storage/sync-queries.ts";
import { eventRange, type EventRange } from "./event-range.ts";
import { ignoredUsersAt, membershipsAt } from "./kept-reads.ts";
import { committedView } from "./kept-at-position.ts";
import { membershipsUpTo } from "./memberships-up-to.ts";
import { QuietTokens } from "./quiet-tokens.ts";

export interface SyncRequest {
  me: Requester;
  since: SyncPosition | undefined;
  filter: SyncFilter;
  fullState: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}


/** Per process (its notifier): the last token each device was answered (quiet-tokens.ts). */
const quietTokens = new WeakMap<object, QuietTokens>();

export async function sync(s: ServerContext, req: SyncRequest): Promise<JsonObject> {
  const deadline = s.clock.now() + req.timeoutMs;
  let quiet = quietTokens.get(s.notifier);
  if (quiet === undefined) quietTokens.set(s.notifier, quiet = new QuietTokens());
  const device = `${req.me.userId}\u0000${req.me.deviceId}`;
  const token = req.since === undefined || req.fullState ? undefined : formatSyncToken(req.since);
  // the long-poll after an answer, nothing announced for the user since it was computed: park first
  const parked = s.notifier.version(req.me.userId);
  if (token !== undefined && req.timeoutMs > 0 && quiet.quiet(device, token, parked)) {
    await s.notifier.wait(req.me.userId, parked, req.timeoutMs, req.signal);
    // the client went away (or the server is stopping): nothing computed for it
    if (req.signal?.aborted) return emptyAnswer(token);
  }
  for (;;) {
    const seen = s.notifier.version(req.me.userId);
    const { body, empty, complete } = await computeSync(s, req);
    if (complete) quiet.answered(device, String(body["next_batch"]), seen);
    const remaining = deadline - s.clock.now();
    if (!empty || req.since === undefined || remaining <= 0 || req.signal?.aborted) return body;
    await s.notifier.wait(req.me.userId, seen, remaining, req.signal);
    if (req.signal?.aborted) return body; // the client went away (or the server is stopping)
  }
}

/** The events after a woken /sync's token read with its positions: at most this many. */
const EVENTS_AFTER_LIMIT = 32;

async function currentPosition(s: ServerContext, userId: string, eventsAfter: number | undefined): Promise<SyncPosition & { oneTimeKeys: number; memberships: string; view: string | undefined; range: EventRange | undefined }> {
  // one statement for the database streams (storage/sync-queries.ts); the events position stops
  // before a write body still running (SQLite: half of it is visible, EventStore.settledPosition)
  const settled = s.stores.events.settledPosition();
  // what the positions statement sees, in its tick (SQLite runs it at the call)
  const view = committedView(s.db);
  const epochs = { redactions: s.stores.events.redactionEpoch(), rollbacks: s.stores.events.rollbackEpoch() };
  if (eventsAfter === undefined) {
    const pos = await streamPositions(s.db, userId);
    return { ...pos, events: settled(pos.events), typing: s.typing.position, view, range: undefined };
  }
  // an incremental /sync: with the events since its token (in the user's rooms), when they are few
  const { eventsAfter: after, ...pos } = await syncPositions(s.db, userId, eventsAfter, EVENTS_AFTER_LIMIT);
  const events = settled(pos.events);
  return { ...pos, events, typing: s.typing.position, view, range: eventRange(after, events, epochs) };
}

/** An answer with nothing new, for a long-poll whose client is gone. */
function emptyAnswer(token: string): JsonObject {
  return { next_batch: token, rooms: { join: {}, invite: {}, leave: {}, knock: {} }, account_data: { events: [] }, presence: { events: [] } };
}

/**
 * `complete`: the answer leaves nothing behind up to its token (to-device messages past the
 * per-sync limit do), so a /sync from that token before any wake-up would find nothing, and a /sync
 * from it would have nothing to acknowledge either (the to-device position did not move).
 */
async function computeSync(s: ServerContext, req: SyncRequest): Promise<{ body: JsonObject; empty: boolean; complete: boolean }> {
  const now = s.clock.now();
  const since = req.since && !req.fullState ? req.since : undefined;
  const pos = await currentPosition(s, req.me.userId, since?.events);
  // a typing serial from before a restart is meaningless: start over from 0
  const typingSince = since && since.typing <= pos.typing ? since.typing : 0;
  const userId = req.me.userId;
  // reads kept per process while their database position stays (kept-at-position.ts); SQLite: only
  // with positions read while no write group was open, keyed with that view, kept if read under it
  const view = pos.view;
  const at = <P extends number | string>(p: P): P | string | undefined => (view === undefined ? undefined : view === "" ? p : `${p}@${view}`);
  const mayKeep = (): boolean => committedView(s.db) === view;
  // a stream whose position did not move since the token has nothing new: not read (most wake-ups
  // move the events stream alone; the long-poll that follows moves none)
  const moved = (k: "events" | "accountData" | "receipts" | "presence"): boolean => since === undefined || since[k] < pos[k];
  // The reads below do not depend on each other: sent at once (on PostgreSQL each is a round trip,
  // and the pool runs them on several connections), awaited where needed. Each is awaited or
  // handled before the function returns or throws (`settled`), so none is left rejecting unseen.
  const e2eeP = settled(e2eeSyncSection(s, req.me, req.since, { ...pos, oneTimeKeys: at(pos.oneTimeKeys), mayKeep }));
  const presenceP = settled(moved("presence") ? presenceEvents(s, userId, since?.presence ?? 0) : Promise.resolve([]));
  const accountDataP = settled(moved("accountData") ? s.stores.streams.accountDataSince(userId, since?.accountData ?? 0) : Promise.resolve([]));
  // read on every sync (kept while the account-data position stays), so a change to
  // m.ignored_user_list applies to the next response
  const ignoredP = settled(ignoredUsersAt(s.stores.streams, userId, at(pos.accountData), mayKeep));
  // the rooms with events since the token, from the events read with the positions when they hold
  // all of them (only rooms where the user has a membership row: the only ones looked up below)
  const range = pos.range;
  const changedP = settled(since ? (moved("events") ? (range ? Promise.resolve(range.rooms) : roomsWithEventsShared(s.stores.events, since.events, pos.events)) : Promise.resolve(new Set<string>())) : Promise.resolve(undefined));
  // as of pos.events: not a membership written after it (SQLite: maybe in a write still open)
  const rows = await membershipsAt(s.stores.rooms, userId, at(pos.memberships), mayKeep);
  const memberships = (await membershipsUpTo(s.stores.events, userId, rows, pos.events)).filter((m) => roomAllowed(req.filter, m.roomId));
  const joinedIds = memberships.filter((m) => m.membership === "join").map((m) => m.roomId);
  const receiptsP = settled(moved("receipts") ? s.stores.streams.receiptsSince(joinedIds, since?.receipts ?? 0) : Promise.resolve([]));
  const changed = await changedP;
  const accountData = await accountDataP;
  const receipts = await receiptsP;
  const ignored = await ignoredP;
  // read on first need (most woken long-polls: an event the user did not send, no room left)
  const txnIds = once(() => ownTxnIds(s, req.me, since?.events ?? 0));
  const device = `${userId}\u0000${req.me.deviceId}`;
  const forgotten = once(() => forgottenRooms(s.db, userId));
  const join: JsonObject = {};
  const invite: JsonObject = {};
  const leave: JsonObject = {};
  const knock: JsonObject = {};
  for (const m of memberships) {
    const newMembership = !since || m.stream > since.events;
    // a joined room with nothing new costs no read (a long-poll woken for one room of many)
    const typing = m.membership === "join" ? s.typing.changedSince(m.roomId, since ? typingSince : -1) : undefined;
    const roomReceipts = m.membership === "join" ? receipts.filter((r) => r.roomId === m.roomId) : [];
    const roomData = m.membership === "join" ? accountData.filter((a) => a.roomId === m.roomId && a.type !== "") : [];
    if (m.membership === "join" && since && !newMembership && !changed?.has(m.roomId) && typing === undefined && roomReceipts.length === 0 && roomData.length === 0) continue;
    const version = getRoomVersion(m.version ?? "");
    if (!version) continue;
    if (m.membership === "join") {
      // full_state: the timeline still starts at the client's token (spec), the state section is complete
      const fullFrom = req.fullState && req.since && m.stream <= req.since.events ? req.since.events : undefined;
      const timelineSince = fullFrom ?? (newMembership ? 0 : (since?.events ?? 0));
      // the unread counts do not depend on the timeline: asked alongside it
      // read positions kept at the receipts position on SQLite only: a PostgreSQL sequence value
      // can commit after a larger one, under a maximum that does not move (push-service.ts)
      const receiptsAt = s.db.dialect === "sqlite" ? { position: at(pos.receipts), mayKeep } : undefined;
      const unread = settled(s.push.syncUnread(userId, m.roomId, pos.events, req.filter.unreadThreadNotifications, receiptsAt));
      const t = await roomTimeline(s, { roomId: m.roomId, version, userId, since: timelineSince, upTo: pos.events, filter: req.filter, now, txnIds, fullState: fullFrom !== undefined, ignored, device, ...(range ? { range } : {}) });
      const ephemeral: JsonObject[] = [];
      if (typing !== undefined && (since || typing.length > 0)) ephemeral.push({ type: "m.typing", content: { user_ids: typing } });
      if (roomReceipts.length > 0) ephemeral.push({ type: "m.receipt", content: receiptContent(roomReceipts, userId) });
      join[m.roomId] = {
        timeline: t.timeline, state: t.state, ephemeral: { events: ephemeral },
        account_data: { events: roomData.map((a) => ({ type: a.type, content: a.content as JsonObject })) },
        ...(await unread),
        summary: await roomSummary(s, { roomId: m.roomId, userId, fromScratch: timelineSince === 0 || fullFrom !== undefined, sections: [t.timeline, t.state] }),
      };
    } else if (m.membership === "invite" || m.membership === "knock") {
      if (!newMembership) continue;
      // spec: servers must not send room invites from ignored users to clients
      if (m.membership === "invite" && ignored.has((await s.stores.events.getEvent(m.eventId))?.event.pdu.sender ?? "")) continue;
      const stripped = await strippedState(s, m.roomId, m.eventId);
      if (m.membership === "invite") invite[m.roomId] = { invite_state: { events: stripped } };
      else knock[m.roomId] = { knock_state: { events: stripped } };
    } else if ((m.membership === "leave" || m.membership === "ban") && (since ? newMembership : req.filter.includeLeave) && !(await forgotten()).has(m.roomId)) {
      const t = await roomTimeline(s, { roomId: m.roomId, version, userId, since: since?.events ?? 0, upTo: m.stream, filter: req.filter, now, txnIds, ignored, device });
      leave[m.roomId] = { timeline: t.timeline, state: t.state, account_data: { events: [] } };
    }
  }
  const globalData = accountData.filter((a) => a.roomId === "").map((a) => ({ type: a.type, content: a.content as JsonObject }));
  // to-device, device lists and key counts (server/e2ee/); `req.since` even with full_state, as
  // syncing from a token acknowledges the to-device messages it covers
  const e2ee = await e2eeP;
  const presence = (await presenceP).filter((e) => matchesEventFilter(req.filter.presence, "m.presence", String(e["sender"])));
  const body: JsonObject = {
    next_batch: formatSyncToken({ ...pos, toDevice: e2ee.toDevicePosition }),
    rooms: { join, invite, leave, knock },
    account_data: { events: globalData },
    presence: { events: presence },
    ...e2ee.fields,
  };
  const empty = Object.keys(join).length + Object.keys(invite).length + Object.keys(leave).length + Object.keys(knock).length + globalData.length + presence.length === 0 && !e2ee.hasNews;
  // and its to-device acknowledgement (a DELETE, a write) already done: a parked long-poll must not
  // leave it to its woken /sync, on the latency path (ToDevice.forSync deletes what `since` covers)
  const acknowledged = req.since !== undefined && req.since.toDevice === e2ee.toDevicePosition;
  return { body, empty, complete: e2ee.toDevicePosition === pos.toDevice && acknowledged };
}

async function strippedState(s: ServerContext, roomId: string, memberEventId: string): Promise<JsonObject[]> {
  const own = await s.stores.events.getEvent(memberEventId);
  if (!own) return currentStrippedState(s.stores, roomId);
  // an invite received over federation carries the inviting server's stripped state
  const remote = s.federation ? await s.federation.store.inviteState(roomId, own.event.pdu.state_key ?? "") : undefined;
  if (remote) return [...(remote as JsonObject[]), strippedEvent(own.event)];
  return [...(await currentStrippedState(s.stores, roomId, [own.event.pdu.sender])), strippedEvent(own.event)];
}

/**
 * The same promise, marked handled: a read started ahead whose result is never awaited (an earlier
 * await threw) must not be an unhandled rejection; awaiting it still throws its error.
 */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** `read` called at most once, when first wanted. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= read());
}

async function ownTxnIds(s: ServerContext, me: Requester, since: number): Promise<Map<string, string>> {
  const rows = await s.db.all<{ event_id: string; txn_id: string }>(
    "SELECT t.event_id, t.txn_id FROM event_txns t JOIN events e ON e.event_id = t.event_id WHERE t.user_id = ? AND t.device_id = ? AND e.stream_ordering > ?",
    [me.userId, me.deviceId, since]);
  return new Map(rows.map((r) => [r.event_id, r.txn_id]));
}

