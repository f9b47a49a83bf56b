// Evaluates the push rules of every local recipient for each event once it is persisted (local
// sends, federation, joins), in stream order, and records the notifying ones (push actions) with
// their pushes to the users' HTTP pushers, in one transaction with the "evaluated up to" cursor.
// The cursor makes it durable: a crash after an event's commit only delays its evaluation to the
// next start. /sync calls evaluatedTo() first (the evaluation, its record committed or still in
// flight: then its actions come from memory), so an event and its notification count always
// arrive in the same response (spec: "MUST appear in the same /sync response as the event itself").
// Rooms' member count and power levels are read from the current state when evaluating, which is
// the state at the event except when several events of a room are evaluated in one batch.
// Work per event is kept small (tests/e2e/push-evaluation-cost.test.ts counts statements):
// requests made while a run is queued share one run (a burst of sends is one batch); parsed push
// settings are kept until the account data says they changed (one query per batch for everyone);
// room facts are kept per room until its current state group moves; pushers are read once per
// batch for the notified users not kept yet, and kept until this process writes any pusher (only
// main adds them: clients' POST /pushers/set is forwarded to it; the `entente` CLI deletes some on
// deactivation, and a push queued for a pusher gone is dropped by the sender, which reads it again).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-13
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import type { Database, SqlExecutor } from "../../storage/sql.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import { pusherWriteCount, type PusherRow, type UserStore } from "../../storage/user-store.ts";
import type { PushActionRow, PushStore, QueuedPush } from "../../storage/push-store.ts";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import { parsePowerLevels, userPowerLevel } from "../../room/auth/power-levels.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { effectiveRuleset } from "../users/push-ruleset.ts";
import type { PushRuleset } from "../users/default-push-rules.ts";
import { EventConditionMemo, evaluatePushRules, type PushContext } from "./push-evaluator.ts";
import { threadOf } from "./thread-of.ts";

/** A batch's evaluation as known before its record commits: what /sync may count from memory. */
export interface EvaluatedView {
  /** Actions up to here are in the database (count them there). */
  recorded: number;
  /** The notifying actions after `recorded`, up to the asked position, that count as unread. */
  actions: readonly PushActionRow[];
}

export interface PushProcessorDeps {
  db: Database;
  store: PushStore;
  events: EventStore;
  rooms: RoomStore;
  users: UserStore;
  serverName: string;
  clock: Clock;
  log: Logger;
  /** Called after a batch queued pushes for pushers. */
  onQueued: () => void;
  /** Called when an evaluated event is a redaction (its commit is done): kept unread counts of the room go. */
  onRedaction?: (roomId: string) => void;
  /**
   * A batch's record committed: every event in (from, upTo] evaluated, `counted` its actions that
   * count as unread messages (not one's own membership) outside `uncounted` rooms (an event of
   * theirs already redacted when read: not counted by the database), so kept unread counts up to
   * `from` can move to `upTo` without reading them (unread-cache.ts).
   */
  onRecorded?: (from: number, upTo: number, counted: readonly PushActionRow[], uncounted: ReadonlySet<string>) => void;
  /** Client readers' wake-ups (worker/stream-channel.ts): sent inside each record's transaction. */
  announce?: RecordAnnouncer;
}

/** Messages a record carries in its own transaction, for other processes (delivered at its commit). */
export interface RecordAnnouncer {
  /** Queues them in `tx`: evaluated up to `position`, with redactions in these rooms. */
  inRecord(tx: SqlExecutor, position: number, redactedRooms: readonly string[]): Promise<void>;
  /** That transaction committed. */
  recorded(position: number): void;
}

const BATCH = 100;
/** Parsed rulesets kept between events (one entry per local user who received something). */
const MAX_CACHED_SETTINGS = 10_000;
/** Rooms whose facts are kept (current state group → members, power levels, display names). */
const MAX_CACHED_ROOMS = 1_000;
/** Users whose pusher lists are kept (most have none: an empty list is kept too). */
const MAX_CACHED_PUSHERS = 10_000;

interface RoomFacts {
  memberCount: number;
  joined: string[];
  senderPowerLevel: number;
  notificationLevels: ReadonlyMap<string, number>;
}

/** What the evaluation needs of a room's current state; valid while its state group is `group`. */
interface RoomState {
  group: number | undefined;
  /**
   * The rollback count when read (EventStore.rollbackEpoch): a read may see a group not committed
   * yet (SQLite: the writer's connection), whose id a rolled-back COMMIT hands to other state.
   */
  epoch: number;
  version: RoomVersion | undefined;
  joined: string[];
  powerLevels: Pdu | undefined;
  create: Pdu | undefined;
  /** Display names looked up so far (legacy bodies only). */
  names: Map<string, string | undefined>;
}

/** A local event as its writer has it once it ran in its (open) group: see PushProcessor.offer. */
export interface OfferedEvent {
  stream: number;
  roomId: string;
  event: { eventId: string; pdu: Pdu };
  /** The state group after the event (the event's `state_group`). */
  stateGroup?: number | undefined;
}

/** A row to evaluate: read from the events table, or offered from memory (`pdu`, no `json`). */
type EvaluatedRow = Awaited<ReturnType<PushStore["eventsToEvaluate"]>>[number] & { pdu?: Pdu };

/** Offered events kept at most (each is evaluated within a batch or two). */
const MAX_OFFERED = 1_000;

/** A batch's record refused: a write rolled back after the batch was read. */
class UndoneMeanwhile extends Error {}

export class PushProcessor {
  private readonly deps: PushProcessorDeps;
  private done: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** The run queued behind the current one, and the furthest position asked of it (∞ = the end). */
  private queued: Promise<void> | undefined;
  private queuedTarget = -Infinity;
  /** The store's rollback epoch when the first of the queued calls asked (see runTo). */
  private queuedAskedAt = Infinity;
  private readonly settings = new Map<string, { rules: PushRuleset; ignored: ReadonlySet<string> }>();
  /** Account-data position up to which `settings` is known to be current. */
  private settingsAt: number | undefined;
  private readonly roomStates = new Map<string, RoomState>();
  /** Pusher lists by user, valid while this process's pusher write count is `pushersAt`. */
  private readonly pushers = new Map<string, readonly PusherRow[]>();
  private pushersAt = -1;
  /** The batch evaluated in memory whose record is not committed yet (none while evaluating). */
  private pending: { from: number; upTo: number; actions: readonly PushActionRow[] } | undefined;
  /** Settled (then replaced) each time a batch's evaluation is known in memory. */
  private evaluated = deferred();
  /** Events offered by their writer, by position, with the rollback count when offered. */
  private readonly offered = new Map<number, { e: OfferedEvent; epoch: number }>();

  constructor(deps: PushProcessorDeps) {
    this.deps = deps;
  }

  /** Every event up to this position has its push actions recorded (undefined: not known yet). */
  evaluatedUpTo(): number | undefined {
    return this.done;
  }

  /**
   * Every event up to `upTo` evaluated, its record committed or not: the woken /sync counts the
   * unread from the database up to `recorded` and the in-memory actions after it, and need not wait
   * for the record's round trips (pushers, COMMIT). After a failed run: what is recorded.
   */
  async evaluatedTo(upTo: number): Promise<EvaluatedView> {
    for (;;) {
      const view = this.viewOf(upTo);
      if (view) return view;
      const ran = this.catchUp(upTo);
      const settled = await Promise.race([ran.then(() => true), this.evaluated.promise.then(() => false)]);
      if (settled) return this.viewOf(upTo) ?? { recorded: Math.min(upTo, this.done ?? upTo), actions: [] };
    }
  }

  private viewOf(upTo: number): EvaluatedView | undefined {
    const { done, pending } = this;
    if (done !== undefined && upTo <= done) return { recorded: upTo, actions: [] };
    if (done !== undefined && pending !== undefined && pending.from === done && upTo <= pending.upTo) {
      return { recorded: done, actions: pending.actions.filter((a) => a.stream <= upTo) };
    }
    return undefined;
  }

  /**
   * A local message that ran in its group (LocalEvents onExecuted), as its writer has it: a batch
   * made only of such events is evaluated without reading them back (one statement less per
   * event, issue 16). Kept with the rollback count of now: if a write rolls back before the batch
   * runs, the position may go to another event, and the batch reads the table as before. State
   * events are not taken (read: the state group column is the one the room facts key on).
   */
  offer(e: OfferedEvent): void {
    if (e.event.pdu.state_key !== undefined || (this.done !== undefined && e.stream <= this.done)) return;
    if (this.offered.size >= MAX_OFFERED) this.offered.clear();
    this.offered.set(e.stream, { e, epoch: this.deps.events.rollbackEpoch() });
  }

  /** The events of (after, upTo] when every position was offered under the current rollback count. */
  private offeredRows(after: number, upTo: number): EvaluatedRow[] | undefined {
    if (upTo <= after || upTo - after > BATCH) return undefined;
    const epoch = this.deps.events.rollbackEpoch();
    const rows: EvaluatedRow[] = [];
    for (let stream = after + 1; stream <= upTo; stream++) {
      const o = this.offered.get(stream);
      if (o === undefined || o.epoch !== epoch) return undefined;
      const { e } = o;
      // a local message that ran: accepted, in the room's DAG, redacted by nothing yet
      rows.push({ stream, eventId: e.event.eventId, roomId: e.roomId, json: "", pdu: e.event.pdu, outlier: false, stateGroup: e.stateGroup, redacted: false });
    }
    return rows;
  }

  /**
   * Evaluates every event up to `upTo` (the current position when undefined); one run at a time.
   * Calls made while a run is queued join it: it goes as far as the furthest of them.
   */
  catchUp(upTo?: number): Promise<void> {
    if (upTo !== undefined && this.done !== undefined && upTo <= this.done) return Promise.resolve();
    this.queuedTarget = Math.max(this.queuedTarget, upTo ?? Infinity);
    this.queuedAskedAt = Math.min(this.queuedAskedAt, this.deps.events.rollbackEpoch());
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      const target = this.queuedTarget;
      const askedAt = this.queuedAskedAt;
      this.queued = undefined;
      this.queuedTarget = -Infinity;
      this.queuedAskedAt = Infinity;
      return this.runTo(target === Infinity ? undefined : target, askedAt);
    });
    // a failure is logged and retried by the next call; it must not block the chain
    this.chain = run.catch((e: unknown) => this.deps.log.error("push evaluation failed", { error: e instanceof Error ? e.message : String(e) }));
    this.queued = this.chain;
    return this.chain;
  }

  private async runTo(wanted: number | undefined, askedAt: number): Promise<void> {
    const { store, events } = this.deps;
    // SQLite: reads see a write body half done; its events are left to the call after it (a body
    // that then rolls back frees its positions for the next events, which a cursor past them skips).
    // A position asked for by onExecuted is one of an open group: evaluated now, its record joins
    // that group's COMMIT. If a write rolled back since the ask (that group's, maybe), the position
    // may be free again: only what is settled now (a cursor past freed positions never evaluates
    // the next events that take them). Never past the newest event there is: a position asked for
    // after its write rolled back is no event.
    const settled = events.settledPosition();
    // PostgreSQL: a position asked for is a committed event's (stage and stageEarly resolve after
    // the COMMIT; /sync and /notifications ask for positions they read), so the newest event is
    // not read: one round trip less before the woken /sync's unread counts and the record
    const trusted = wanted !== undefined && this.deps.db.dialect === "postgres";
    // every position up to the one asked for offered by its writer, none rolled back since: they
    // are events (the newest is not read either)
    const offered = wanted !== undefined && this.done !== undefined && events.rollbackEpoch() === askedAt && this.offeredRows(this.done, wanted) !== undefined;
    const max = trusted || offered ? wanted : await events.maxStream();
    let upTo = wanted !== undefined && events.rollbackEpoch() === askedAt ? Math.min(wanted, max) : Math.min(wanted ?? Infinity, settled(max));
    let done = this.done ?? await store.progress();
    this.done = done;
    while (done < upTo) {
      const epoch = events.rollbackEpoch();
      // two independent reads: on PostgreSQL they go out together (one round trip less before the record)
      const fromMemory = this.offeredRows(done, upTo);
      const [batch] = await Promise.all([fromMemory ?? store.eventsToEvaluate(done, upTo, BATCH), this.refreshSettings()]);
      let last = batch.length < BATCH ? upTo : (batch[batch.length - 1]?.stream ?? upTo);
      // A position taken as asked, not read: a short batch that did not reach it (the event there
      // is one not evaluated, or — a caller's bug — none is committed there yet) moves the durable
      // cursor no further than the newest event there is, so events that take the positions up to
      // the one asked for are still evaluated.
      if (trusted && batch.length < BATCH && (batch[batch.length - 1]?.stream ?? done) < upTo) {
        last = Math.min(upTo, await events.maxStream());
        if (last <= done) break;
      }
      const actions: PushActionRow[] = [];
      /** Membership events by position and target: one's own notifies but is no unread message. */
      const members = new Map<number, string>();
      const redactedRooms = new Set<string>();
      const uncounted = new Set<string>();
      for (const row of batch as EvaluatedRow[]) {
        const pdu = row.pdu ?? (JSON.parse(row.json) as Pdu);
        if (pdu.type === "m.room.member" && typeof pdu.state_key === "string") members.set(row.stream, pdu.state_key);
        if (pdu.type === "m.room.redaction") redactedRooms.add(row.roomId);
        if (row.redacted) uncounted.add(row.roomId);
        const event: JsonObject = { ...pdu, event_id: row.eventId, room_id: row.roomId };
        delete event["unsigned"];
        await this.evaluateEvent(event, row, actions);
      }
      const counted = actions.filter((a) => members.get(a.stream) !== a.userId);
      // known before its record: /sync may count it now (evaluatedTo). Not a batch with a redaction:
      // its target's actions stop counting, which only the database's count knows
      if (redactedRooms.size === 0) {
        this.pending = { from: done, upTo: last, actions: counted };
        this.evaluated.resolve();
        this.evaluated = deferred();
      }
      try {
        await this.recordBatch(actions, last, [...redactedRooms], epoch);
      } catch (e) {
        if (!(e instanceof UndoneMeanwhile)) throw e;
        // what the batch read may have been undone: again, up to what is settled now
        upTo = Math.min(upTo, await events.settledMaxStream());
        continue;
      } finally {
        this.pending = undefined;
      }
      this.deps.onRecorded?.(done, last, counted, uncounted);
      this.done = done = last;
      for (const stream of this.offered.keys()) if (stream <= last) this.offered.delete(stream);
    }
  }

  /** The batch's actions, the pushes they queue and the cursor, in one transaction. */
  private async recordBatch(actions: readonly PushActionRow[], last: number, redactedRooms: readonly string[], readAt: number): Promise<void> {
    const { store, db, announce, events } = this.deps;
    const pushes = await this.pushesFor(actions);
    // PostgreSQL: with no push for a phone the record is only what the cursor lets us redo
    // (actions, cursor): committed without waiting for an fsync. Queued pushes stay durable
    // (one never sent twice) and in the event writer's commit order (pusher_queue ids).
    // client readers learn the position from the record's own commit (no NOTIFY after it)
    let sets: string[] = [];
    const record = async (tx: SqlExecutor): Promise<void> => {
      // in the record's own body: a write rolled back after the batch was read (its group failed
      // before this body ran) may have undone events of the batch
      if (events.rollbackEpoch() !== readAt) throw new UndoneMeanwhile();
      sets = await store.record(tx, actions, pushes, last);
      await announce?.inRecord(tx, last, redactedRooms);
    };
    // a record writing a recipient set is durable too: later records trust the set is stored
    await (pushes.length === 0 && db.derivedTransaction && !store.writesSets(actions) ? db.derivedTransaction(record) : db.transaction(record));
    store.setsCommitted(sets);
    announce?.recorded(last);
    if (pushes.length > 0) this.deps.onQueued();
  }

  private async evaluateEvent(event: JsonObject, row: { stream: number; eventId: string; roomId: string; outlier: boolean; stateGroup: number | undefined }, actions: PushActionRow[]): Promise<void> {
    if (event["type"] === "m.room.redaction") this.deps.onRedaction?.(row.roomId);
    const sender = String(event["sender"]);
    const room = await this.roomState(row.roomId, row.stateGroup);
    const facts = roomFacts(room, sender);
    // a membership outlier (invite to a room we are not in) concerns its target only
    const recipients = new Set(row.outlier ? [] : facts.joined);
    // an invitee is not joined yet but is the one .m.rule.invite_for_me is for
    const content = event["content"] as JsonObject;
    if (event["type"] === "m.room.member" && content["membership"] === "invite" && typeof event["state_key"] === "string") recipients.add(event["state_key"]);
    recipients.delete(sender);
    let threadId: string | undefined;
    // a local sender joins the event's recipient set (never a recipient: push-rows.ts)
    const local = sender.endsWith(`:${this.deps.serverName}`) ? sender : undefined;
    const memo = new EventConditionMemo();
    for (const userId of recipients) {
      if (!userId.endsWith(`:${this.deps.serverName}`)) continue;
      const rs = await this.rulesetOf(userId, sender);
      if (!rs) continue;
      // only the legacy contains_display_name rule reads it: events with m.mentions (Element sends
      // it on every message) or without a body spare the lookups
      const needsName = typeof content["body"] === "string" && !Object.hasOwn(content, "m.mentions");
      const ctx: PushContext = { userId, displayName: needsName ? await this.displayName(row.roomId, room, userId) : undefined, ...facts };
      const outcome = evaluatePushRules(rs, event, ctx, memo);
      if (!outcome?.notify) continue;
      threadId ??= await threadOf(content, (id) => this.deps.store.eventContent(id));
      const json = actionsJson(outcome.actions);
      actions.push({ userId, roomId: row.roomId, stream: row.stream, eventId: row.eventId, threadId, highlight: outcome.highlight, actions: json, ts: Number(event["origin_server_ts"]) || this.deps.clock.now(), sender: local });
    }
  }

  /** One push per pusher of each notified user, in the order of the actions; pushers read once. */
  private async pushesFor(actions: readonly PushActionRow[]): Promise<Omit<QueuedPush, "id">[]> {
    if (actions.length === 0) return [];
    const pushers = await this.pushersOf([...new Set(actions.map((a) => a.userId))]);
    const now = this.deps.clock.now();
    return actions.flatMap((a) => (pushers.get(a.userId) ?? []).map((p: PusherRow) => ({
      userId: a.userId, appId: p.appId, pushkey: p.pushkey, roomId: a.roomId, eventId: a.eventId, actions: a.actions, createdTs: now,
    })));
  }

  /** The users' pushers: kept lists, the others read (and kept if no pusher write ended meanwhile). */
  private async pushersOf(userIds: readonly string[]): Promise<Map<string, readonly PusherRow[]>> {
    const at = pusherWriteCount();
    if (at !== this.pushersAt) {
      this.pushers.clear();
      this.pushersAt = at;
    }
    const missing = userIds.filter((u) => !this.pushers.has(u));
    const read = missing.length > 0 ? await this.deps.users.listPushersOf(missing) : new Map<string, PusherRow[]>();
    if (pusherWriteCount() === at) {
      if (this.pushers.size + read.size > MAX_CACHED_PUSHERS) this.pushers.clear();
      for (const [u, list] of read) this.pushers.set(u, list);
    }
    return new Map(userIds.map((u) => [u, read.get(u) ?? this.pushers.get(u) ?? []]));
  }

  /** Forgets the parsed settings of the users whose push rules or ignore list changed. */
  private async refreshSettings(): Promise<void> {
    const { store } = this.deps;
    if (this.settingsAt === undefined) {
      this.settings.clear();
      this.settingsAt = await store.accountDataPosition();
      return;
    }
    const changed = await store.pushSettingsChangedSince(this.settingsAt);
    for (const u of changed.users) this.settings.delete(u);
    this.settingsAt = changed.upTo;
  }

  /** The user's ruleset, or undefined when they ignore the sender (m.ignored_user_list). */
  private async rulesetOf(userId: string, sender: string): Promise<PushRuleset | undefined> {
    let known = this.settings.get(userId);
    if (!known) {
      const rows = await this.deps.store.pushSettings(userId);
      const ignored = rows.find((r) => r.type === "m.ignored_user_list")?.content;
      const list = typeof ignored === "object" && ignored !== null ? (ignored as Record<string, unknown>)["ignored_users"] : undefined;
      known = {
        ignored: new Set(typeof list === "object" && list !== null ? Object.keys(list) : []),
        rules: effectiveRuleset(userId, rows.find((r) => r.type === "m.push_rules")?.content),
      };
      if (this.settings.size >= MAX_CACHED_SETTINGS) this.settings.clear();
      this.settings.set(userId, known);
    }
    return known.ignored.has(sender) ? undefined : known.rules;
  }

  /**
   * The room's facts, read again only when its current state group moved. `atGroup`, the state
   * group at the event: when the kept facts are of that group they are the state at the event and
   * nothing is read (a message changes no state: no `rooms` read per message); otherwise one query
   * for the current group.
   */
  private async roomState(roomId: string, atGroup: number | undefined): Promise<RoomState> {
    const { rooms, events } = this.deps;
    const epoch = events.rollbackEpoch();
    const kept = this.roomStates.get(roomId);
    if (kept && kept.epoch === epoch && atGroup !== undefined && kept.group === atGroup) return kept;
    const row = await rooms.getRoom(roomId);
    const group = row?.currentStateGroup;
    const cached = this.roomStates.get(roomId);
    if (cached && cached.epoch === epoch && group !== undefined && cached.group === group) return cached;
    const stateEvent = async (type: string): Promise<Pdu | undefined> => {
      const id = await rooms.currentStateId(roomId, type, "");
      return id ? (await events.getEvent(id))?.event.pdu : undefined;
    };
    const state: RoomState = {
      group, epoch, version: getRoomVersion(row?.version ?? ""),
      joined: (await rooms.members(roomId, "join")).map((m) => m.userId),
      powerLevels: await stateEvent("m.room.power_levels"), create: await stateEvent("m.room.create"), names: new Map(),
    };
    // rooms we are not in (outlier memberships) have no state group: never kept
    if (group !== undefined) {
      if (this.roomStates.size >= MAX_CACHED_ROOMS) this.roomStates.clear();
      this.roomStates.set(roomId, state);
    }
    return state;
  }

  /** The display name the room knows (m.room.member), else the global one. */
  private async displayName(roomId: string, room: RoomState, userId: string): Promise<string | undefined> {
    if (room.names.has(userId)) return room.names.get(userId);
    const id = await this.deps.rooms.currentStateId(roomId, "m.room.member", userId);
    const inRoom = id ? (await this.deps.events.getEvent(id))?.event.pdu.content["displayname"] : undefined;
    const name = typeof inRoom === "string" ? inRoom : (await this.deps.users.getUser(userId))?.displayname;
    room.names.set(userId, name);
    return name;
  }
}

/** A rule's actions as stored, serialised once per rule (rulesets are kept between events, never modified). */
const serialisedActions = new WeakMap<readonly unknown[], string>();
function actionsJson(actions: readonly unknown[]): string {
  let json = serialisedActions.get(actions);
  if (json === undefined) {
    json = JSON.stringify(actions);
    serialisedActions.set(actions, json);
  }
  return json;
}

function roomFacts(room: RoomState, sender: string): RoomFacts {
  const { joined, version, powerLevels, create } = room;
  if (!version) return { joined, memberCount: joined.length, senderPowerLevel: 0, notificationLevels: new Map() };
  const asEvent = (pdu: Pdu | undefined): { eventId: string; pdu: Pdu } | undefined => (pdu ? { eventId: "", pdu } : undefined);
  return {
    joined, memberCount: joined.length,
    senderPowerLevel: userPowerLevel(sender, asEvent(powerLevels), asEvent(create), version),
    notificationLevels: parsePowerLevels(powerLevels?.content, version).notifications,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}
