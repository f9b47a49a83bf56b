// Evaluates the push rules of every local recipient for each event once it is persisted (local
// sends, federation, joins), in stream order, and records the notifying ones (push actions) with
// their pushes to the users' HTTP pushers, in one transaction with the "evaluated up to" cursor.
// The cursor makes it durable: a crash after an event's commit only delays its evaluation to the
// next start. /sync calls catchUp() first, so an event and its notification count always arrive
// in the same response (spec: "MUST appear in the same /sync response as the event itself").
// Rooms' member count and power levels are read from the current state when evaluating, which is
// the state at the event except when several events of a room are evaluated in one batch.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-13
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import type { Database } from "../../storage/sql.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { PusherRow, UserStore } from "../../storage/user-store.ts";
import type { PushActionRow, PushStore, QueuedPush } from "../../storage/push-store.ts";
import { getRoomVersion } from "../../room/room-versions.ts";
import { parsePowerLevels, userPowerLevel } from "../../room/auth/power-levels.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { effectiveRuleset } from "../users/push-ruleset.ts";
import type { PushRuleset } from "../users/default-push-rules.ts";
import { evaluatePushRules, type PushContext } from "./push-evaluator.ts";
import { threadOf } from "./thread-of.ts";

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
}

const BATCH = 100;
/** Parsed rulesets kept between events (one entry per local user who received something). */
const MAX_CACHED_SETTINGS = 10_000;

interface RoomFacts {
  memberCount: number;
  joined: string[];
  senderPowerLevel: number;
  notificationLevels: ReadonlyMap<string, number>;
}

export class PushProcessor {
  private readonly deps: PushProcessorDeps;
  private done: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly settings = new Map<string, { version: string; rules: PushRuleset; ignored: ReadonlySet<string> }>();
  /** Users whose settings were read during the current batch (read once per batch). */
  private readonly checkedInBatch = new Set<string>();
  /** Pushers of the users notified in the current batch. */
  private readonly pushersInBatch = new Map<string, PusherRow[]>();

  constructor(deps: PushProcessorDeps) {
    this.deps = deps;
  }

  /** Evaluates every event up to `upTo` (the current position when undefined); one run at a time. */
  catchUp(upTo?: number): Promise<void> {
    if (upTo !== undefined && this.done !== undefined && upTo <= this.done) return Promise.resolve();
    const run = this.chain.then(() => this.runTo(upTo));
    // a failure is logged and retried by the next call; it must not block the chain
    this.chain = run.catch((e: unknown) => this.deps.log.error("push evaluation failed", { error: e instanceof Error ? e.message : String(e) }));
    return this.chain;
  }

  private async runTo(wanted: number | undefined): Promise<void> {
    const { store, events } = this.deps;
    const upTo = wanted ?? (await events.maxStream());
    this.done ??= await store.progress();
    while (this.done < upTo) {
      const batch = await store.eventsToEvaluate(this.done, upTo, BATCH);
      this.checkedInBatch.clear();
      this.pushersInBatch.clear();
      const last = batch.length < BATCH ? upTo : (batch[batch.length - 1]?.stream ?? upTo);
      const actions: PushActionRow[] = [];
      const pushes: Omit<QueuedPush, "id">[] = [];
      for (const row of batch) {
        const pdu = JSON.parse(row.json) as Pdu;
        const event: JsonObject = { ...pdu, event_id: row.eventId, room_id: row.roomId };
        delete event["unsigned"];
        await this.evaluateEvent(event, row, actions, pushes);
      }
      await this.deps.db.transaction((tx) => store.record(tx, actions, pushes, last));
      this.done = last;
      if (pushes.length > 0) this.deps.onQueued();
    }
  }

  private async evaluateEvent(event: JsonObject, row: { stream: number; eventId: string; roomId: string; outlier: boolean },
    actions: PushActionRow[], pushes: Omit<QueuedPush, "id">[]): Promise<void> {
    const sender = String(event["sender"]);
    const facts = await this.roomFacts(row.roomId, sender);
    // a membership outlier (invite to a room we are not in) concerns its target only
    const recipients = new Set(row.outlier ? [] : facts.joined);
    // an invitee is not joined yet but is the one .m.rule.invite_for_me is for
    const content = event["content"] as JsonObject;
    if (event["type"] === "m.room.member" && content["membership"] === "invite" && typeof event["state_key"] === "string") recipients.add(event["state_key"]);
    recipients.delete(sender);
    let threadId: string | undefined;
    for (const userId of recipients) {
      if (!userId.endsWith(`:${this.deps.serverName}`)) continue;
      const rs = await this.rulesetOf(userId, sender);
      if (!rs) continue;
      // only the legacy contains_display_name rule reads it: events with m.mentions (Element sends
      // it on every message) or without a body spare the two lookups
      const needsName = typeof content["body"] === "string" && !Object.hasOwn(content, "m.mentions");
      const ctx: PushContext = { userId, displayName: needsName ? await this.displayName(row.roomId, userId) : undefined, ...facts };
      const outcome = evaluatePushRules(rs, event, ctx);
      if (!outcome?.notify) continue;
      threadId ??= await threadOf(content, (id) => this.deps.store.eventContent(id));
      const json = JSON.stringify(outcome.actions);
      actions.push({ userId, roomId: row.roomId, stream: row.stream, eventId: row.eventId, threadId, highlight: outcome.highlight, actions: json, ts: Number(event["origin_server_ts"]) || this.deps.clock.now() });
      for (const p of await this.pushersOf(userId)) {
        pushes.push({ userId, appId: p.appId, pushkey: p.pushkey, roomId: row.roomId, eventId: row.eventId, actions: json, createdTs: this.deps.clock.now() });
      }
    }
  }

  /**
   * The user's ruleset, or undefined when they ignore the sender (m.ignored_user_list). One query
   * per recipient; the parsed ruleset is reused while the account data keeps its stream position.
   */
  private async rulesetOf(userId: string, sender: string): Promise<PushRuleset | undefined> {
    const known = this.settings.get(userId);
    if (known && this.checkedInBatch.has(userId)) return known.ignored.has(sender) ? undefined : known.rules;
    this.checkedInBatch.add(userId);
    const rows = await this.deps.store.pushSettings(userId);
    const version = rows.map((r) => `${r.type}@${r.stream}`).sort().join();
    let cached = known;
    if (cached?.version !== version) {
      const ignored = rows.find((r) => r.type === "m.ignored_user_list")?.content;
      const list = typeof ignored === "object" && ignored !== null ? (ignored as Record<string, unknown>)["ignored_users"] : undefined;
      cached = {
        version, ignored: new Set(typeof list === "object" && list !== null ? Object.keys(list) : []),
        rules: effectiveRuleset(userId, rows.find((r) => r.type === "m.push_rules")?.content),
      };
      if (this.settings.size >= MAX_CACHED_SETTINGS) this.settings.clear();
      this.settings.set(userId, cached);
    }
    return cached.ignored.has(sender) ? undefined : cached.rules;
  }

  private async pushersOf(userId: string): Promise<PusherRow[]> {
    let list = this.pushersInBatch.get(userId);
    if (!list) this.pushersInBatch.set(userId, (list = await this.deps.users.listPushers(userId)));
    return list;
  }

  private async roomFacts(roomId: string, sender: string): Promise<RoomFacts> {
    const { rooms, events } = this.deps;
    const joined = (await rooms.members(roomId, "join")).map((m) => m.userId);
    const version = getRoomVersion((await rooms.getRoom(roomId))?.version ?? "");
    const stateEvent = async (type: string): Promise<Pdu | undefined> => {
      const id = await rooms.currentStateId(roomId, type, "");
      return id ? (await events.getEvent(id))?.event.pdu : undefined;
    };
    const pl = await stateEvent("m.room.power_levels");
    const create = await stateEvent("m.room.create");
    if (!version) return { joined, memberCount: joined.length, senderPowerLevel: 0, notificationLevels: new Map() };
    const asEvent = (pdu: Pdu | undefined, id: string): { eventId: string; pdu: Pdu } | undefined => (pdu ? { eventId: id, pdu } : undefined);
    return {
      joined, memberCount: joined.length,
      senderPowerLevel: userPowerLevel(sender, asEvent(pl, ""), asEvent(create, ""), version),
      notificationLevels: parsePowerLevels(pl?.content, version).notifications,
    };
  }

  /** The display name the room knows (m.room.member), else the global one. */
  private async displayName(roomId: string, userId: string): Promise<string | undefined> {
    const id = await this.deps.rooms.currentStateId(roomId, "m.room.member", userId);
    const inRoom = id ? (await this.deps.events.getEvent(id))?.event.pdu.content["displayname"] : undefined;
    return typeof inRoom === "string" ? inRoom : (await this.deps.users.getUser(userId))?.displayname;
  }
}
