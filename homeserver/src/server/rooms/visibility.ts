// History visibility: which events a user may see, and who may read a room at all.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-7 (Room History Visibility)
import type { StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { senderOfRow, stateKeyOfRow, typeOfRow } from "../../storage/event-columns.ts";
import { membershipHistory } from "../../storage/event-queries.ts";
import type { RoomRow } from "../../storage/room-store.ts";
import type { ServerContext } from "../context.ts";
import { versionOrThrow } from "./local-events.ts";
import { hiddenByIgnore, loadIgnoredUsers } from "../users/ignored-users.ts";

export type VisibilityDeps = Pick<ServerContext, "db" | "stores">;
export type HistoryVisibility = "world_readable" | "shared" | "invited" | "joined";

const HV_KEY = stateKeyOf("m.room.history_visibility", "");

/** Unknown or missing values mean `shared` (spec: "if the value is not understood"). */
export function parseHistoryVisibility(value: unknown): HistoryVisibility {
  return value === "world_readable" || value === "invited" || value === "joined" ? value : "shared";
}

/** The room id of a stored event (v12 create events carry none: the room id derives from it). */
export function roomIdOfRow(row: StoredEventRow): string {
  return row.columns?.roomId ?? row.event.pdu.room_id ?? "!" + row.event.eventId.slice(1);
}

/** What visibility needs of an event besides its state: the columns stored beside its JSON. */
export interface EventMeta {
  roomId: string;
  stream: number;
  stateGroup: number | undefined;
  sender: string;
  type: string;
  stateKey: string | undefined;
}

/** The history-visibility answer of one state group: "shared" rooms depend on a later join. */
type GroupVerdict = "yes" | "no" | "if-joined-after";

/**
 * Decides visibility of events of one room for one user, caching state lookups: build one per
 * request and reuse it for every event of the response. The answer for an event depends on its
 * state group (and, in a `shared` room the user has not joined as of that state, on whether they
 * joined later), so it is worked out once per state group: a page of 1,000 task events spans a
 * handful of groups.
 */
export class RoomVisibility {
  private readonly deps: VisibilityDeps;
  private readonly roomId: string;
  private readonly userId: string;
  private readonly hvByEvent = new Map<string, HistoryVisibility>();
  private readonly membershipByEvent = new Map<string, string | undefined>();
  private readonly verdicts = new Map<number, Promise<GroupVerdict>>();
  private joins: Promise<number[]> | undefined;
  private current: Promise<string | undefined> | undefined;
  private ignored: Promise<ReadonlySet<string>> | undefined;

  /**
   * `ignoring: false` keeps the events of users the reader ignores (reporting one must still work);
   * `ignored` is the reader's list when the caller already read it (/sync, once for every room).
   */
  constructor(deps: VisibilityDeps, roomId: string, userId: string, opts: { ignoring?: boolean; ignored?: ReadonlySet<string> } = {}) {
    this.deps = deps;
    this.roomId = roomId;
    this.userId = userId;
    if (opts.ignoring === false) this.ignored = Promise.resolve(new Set<string>());
    else if (opts.ignored) this.ignored = Promise.resolve(opts.ignored);
  }

  async canSee(row: StoredEventRow): Promise<boolean> {
    const verdict = await this.canSeeMeta({
      roomId: roomIdOfRow(row), stream: row.stream, stateGroup: row.stateGroup, sender: senderOfRow(row), type: typeOfRow(row), stateKey: stateKeyOfRow(row),
    });
    if (verdict !== "special") return verdict;
    // For history_visibility changes and the user's own membership events, the state before the
    // event counts too (spec: "before *or* after the event").
    const prevs = await this.deps.stores.events.getEvents(row.event.pdu.prev_events);
    for (const prev of prevs.values()) {
      if (prev.stateGroup !== undefined && (await this.allowedIn(prev.stateGroup, row.stream))) return true;
    }
    return false;
  }

  /**
   * Visibility from an event's columns alone; "special" when it is hidden by the state after it
   * but the state before it may show it (a history_visibility change or the user's own membership
   * event): then only canSee, with the whole row, can tell.
   */
  async canSeeMeta(meta: EventMeta): Promise<boolean | "special"> {
    if (meta.roomId !== this.roomId || meta.stateGroup === undefined) return false;
    // events of users this user ignores are hidden from every read path (users/ignored-users.ts)
    this.ignored ??= loadIgnoredUsers(this.deps.stores.streams, this.userId);
    if (hiddenByIgnore({ sender: meta.sender, ...(meta.stateKey === undefined ? {} : { state_key: meta.stateKey }) }, this.userId, await this.ignored)) return false;
    if (await this.allowedIn(meta.stateGroup, meta.stream)) return true;
    const special = (meta.type === "m.room.history_visibility" && meta.stateKey === "") || (meta.type === "m.room.member" && meta.stateKey === this.userId);
    return special ? "special" : false;
  }

  /** Keeps the visible rows, in order. */
  async filter(rows: readonly StoredEventRow[]): Promise<StoredEventRow[]> {
    const out: StoredEventRow[] = [];
    for (const row of rows) if (await this.canSee(row)) out.push(row);
    return out;
  }

  /** Steps 1–5 of the spec's algorithm, with the state of the room at the event. */
  private async allowedIn(group: number, eventStream: number): Promise<boolean> {
    let verdict = this.verdicts.get(group);
    if (verdict === undefined) {
      verdict = this.groupVerdict(group);
      this.verdicts.set(group, verdict);
    }
    const v = await verdict;
    return v === "if-joined-after" ? this.joinedAfter(eventStream) : v === "yes";
  }

  private async groupVerdict(group: number): Promise<GroupVerdict> {
    const state = await this.deps.stores.events.stateMapOfGroup(group);
    const hv = await this.historyVisibility(state);
    if (hv === "world_readable") return "yes";
    const membership = await this.membershipIn(state);
    if (membership === "join") return "yes";
    if (membership === "invite" && hv === "invited") return "yes";
    return hv === "shared" ? "if-joined-after" : "no";
  }
  private async historyVisibility(state: ReadonlyMap<StateKey, string>): Promise<HistoryVisibility> {
    const id = state.get(HV_KEY);
    if (id === undefined) return "shared";
    let hv = this.hvByEvent.get(id);
    if (hv === undefined) {
      const ev = await this.deps.stores.events.getEvent(id);
      hv = parseHistoryVisibility(ev?.event.pdu.content["history_visibility"]);
      this.hvByEvent.set(id, hv);
    }
    return hv;
  }

  private async membershipIn(state: ReadonlyMap<StateKey, string>): Promise<string | undefined> {
    const id = state.get(stateKeyOf("m.room.member", this.userId));
    if (id === undefined) return undefined;
    if (this.membershipByEvent.has(id)) return this.membershipByEvent.get(id);
    const ev = await this.deps.stores.events.getEvent(id);
    const m = ev?.event.pdu.content["membership"];
    const membership = typeof m === "string" ? m : undefined;
    this.membershipByEvent.set(id, membership);
    return membership;
  }

  /** "The user joined the room at any point after the event was sent", or is joined now. */
  private async joinedAfter(eventStream: number): Promise<boolean> {
    this.current ??= this.deps.stores.rooms.membership(this.roomId, this.userId);
    if ((await this.current) === "join") return true;
    this.joins ??= membershipHistory(this.deps.db, this.roomId, this.userId).then((h) => h.filter((m) => m.membership === "join").map((m) => m.stream));
    return (await this.joins).some((s) => s > eventStream);
  }
}

/** Whether `userId` may see the stored event `row` (history visibility at that event). */
export function canSeeEvent(s: VisibilityDeps, userId: string, row: StoredEventRow): Promise<boolean> {
  return new RoomVisibility(s, roomIdOfRow(row), userId).canSee(row);
}

export interface RoomAccess {
  room: RoomRow;
  version: RoomVersion;
  /** The user's current membership, if any. */
  membership: string | undefined;
  /** The state group the user reads the room's state at: current, or at their leave. */
  stateGroup: number | undefined;
  /** Last stream position the user may read (their leave/ban), when reading as a former member. */
  upTo: number | undefined;
}

/**
 * Who may read a room: joined users and anyone when the room is world_readable. With
 * `allowFormerMembers`, users who were joined and have since left or been banned read the room as it
 * was when they left (spec GET /state, /members, /messages: "If the user has left the room...").
 * Everyone else, including for unknown rooms (so existence does not leak): 403 M_FORBIDDEN.
 */
export async function requireRoomAccess(
  s: VisibilityDeps, userId: string, roomId: string, opts: { allowFormerMembers?: boolean } = {},
): Promise<RoomAccess> {
  const room = await s.stores.rooms.getRoom(roomId);
  if (!room) throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
  const version = versionOrThrow(room.version);
  const membership = await s.stores.rooms.membership(roomId, userId);
  const current = { room, version, membership, stateGroup: room.currentStateGroup, upTo: undefined };
  if (membership === "join") return current;
  const hvId = await s.stores.rooms.currentStateId(roomId, "m.room.history_visibility", "");
  const hvEvent = hvId === undefined ? undefined : await s.stores.events.getEvent(hvId);
  if (parseHistoryVisibility(hvEvent?.event.pdu.content["history_visibility"]) === "world_readable") return current;
  if (opts.allowFormerMembers && (membership === "leave" || membership === "ban")) {
    const history = await membershipHistory(s.db, roomId, userId);
    if (history.some((h) => h.membership === "join")) {
      const leaveId = await s.stores.rooms.currentStateId(roomId, "m.room.member", userId);
      const leave = leaveId === undefined ? undefined : await s.stores.events.getEvent(leaveId);
      if (leave) return { room, version, membership, stateGroup: leave.stateGroup, upTo: leave.stream };
    }
  }
  throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
}
