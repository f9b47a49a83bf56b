// TasksPort over matrix-js-sdk. A list is read from the room itself: its state (fr.entente.tasks
// or fr.entente.objectives, power levels, create event for v12 creators), then the anchor's
// m.reference relations with `recurse` (spec v1.10), which return the roots and, one hop further,
// their updates and check-ins in a few pages; a server that ignores `recurse` is asked root by
// root. Encrypted events are decrypted by the SDK's Rust crypto before the fold sees them.
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltype
import { Direction, MatrixEventEvent, Method, RoomEvent, RoomStateEvent, type IEvent, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import {
  buildCheckin, buildTaskUpdate, DEFAULT_TIME_ZONE, foldObjectives, foldTasks, nextClock, OBJECTIVE_CHECKIN, OBJECTIVE_MSGTYPE, OBJECTIVE_UPDATE, OBJECTIVES_STATE,
  parseObjectivesState, parseRoomPowerLevels, parseTasksState, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE, timeZoneFromProfile,
  type RoomPowerLevels, type TaskFoldResult, type TaskStatus,
} from "./protocol.ts";
import { sendAny } from "../sdk-untyped.ts";
import { spaceChildIds } from "../space-children.ts";
import type { RoomTaskList } from "./my-tasks.ts";
import type { RoomObjectives } from "./objectives-dashboard.ts";
import type { SpaceRef, TasksPort } from "./tasks-port.ts";

// Servers cap it (ours at 100, see the bench in tests/bench/tasks-views.ts): asking more costs nothing.
const PAGE = 1000;
/** /messages page when reading a large list's history (servers cap it; ours at 1,000). */
const HISTORY_PAGE = 1000;
const RELEVANT = new Set([TASK_UPDATE, OBJECTIVE_UPDATE, OBJECTIVE_CHECKIN, TASKS_STATE, OBJECTIVES_STATE, ROOM_REDACTION]);
/** Timeline event types a list keeps besides its roots (redactions: the fold judges them). */
const FOLDED = new Set([TASK_UPDATE, OBJECTIVE_UPDATE, OBJECTIVE_CHECKIN, ROOM_REDACTION]);

/** The fold's raw shape of a fetched (and decrypted) event; undefined when it cannot be read. */
function foldRaw(e: MatrixEvent): Record<string, unknown> | undefined {
  const eventId = e.getId();
  const sender = e.getSender();
  if (eventId === undefined || sender === undefined || e.isDecryptionFailure() || e.isEncrypted() && e.getClearContent() === null) return undefined;
  const content: Record<string, unknown> = { ...e.getOriginalContent() };
  // The relation stays in clear next to the ciphertext (spec): keep it whatever the decryptor did.
  const rel = e.getWireContent()["m.relates_to"];
  if (content["m.relates_to"] === undefined && rel !== undefined) content["m.relates_to"] = rel;
  return { event_id: eventId, type: e.getType(), sender, origin_server_ts: e.getTs(), content, unsigned: e.getUnsigned() };
}

export class MatrixTasksPort implements TasksPort {
  readonly userId: string;
  private readonly client: MatrixClient;
  private zone: Promise<string> | undefined;
  private readonly lists = new Map<string, { roomId: string; events: Map<string, Record<string, unknown>>; ready: Promise<void> }>();

  constructor(client: MatrixClient) {
    this.client = client;
    this.userId = client.getSafeUserId();
    client.on(RoomEvent.Timeline, (e: MatrixEvent, _room: Room | undefined, toStart: boolean | undefined) => { if (toStart !== true) this.absorb(e); });
    client.on(MatrixEventEvent.Decrypted, (e: MatrixEvent) => this.absorb(e));
    // A gappy sync may have skipped events: the room's lists are fetched again when next read.
    client.on(RoomEvent.TimelineReset, (room: Room | undefined) => this.dropRoom(room?.roomId));
  }

  /** Forgets the cached lists of a room (all rooms without one): the next read fetches them. */
  private dropRoom(roomId: string | undefined): void {
    for (const [key, c] of this.lists) if (roomId === undefined || c.roomId === roomId) this.lists.delete(key);
  }

  timeZone(): Promise<string> {
    this.zone ??= this.client.http
      .authedRequest(Method.Get, `/profile/${encodeURIComponent(this.userId)}/m.tz`)
      .then(timeZoneFromProfile, () => DEFAULT_TIME_ZONE);
    return this.zone;
  }

  private joined(): Room[] {
    return this.client.getRooms().filter((r) => r.getMyMembership() === "join");
  }

  private levels(room: Room): RoomPowerLevels {
    const create = room.currentState.getStateEvents("m.room.create", "");
    const pl = room.currentState.getStateEvents("m.room.power_levels", "")?.getContent();
    return parseRoomPowerLevels(pl ?? {}, create ? { sender: create.getSender() ?? "", content: create.getContent() } : undefined);
  }

  private stateContent(room: Room, type: string): Record<string, unknown> | undefined {
    const e = room.currentState.getStateEvents(type, "");
    return e === null || e.isRedacted() ? undefined : e.getContent();
  }

  /** One page of relations, decrypted. */
  private async page(roomId: string, eventId: string, from: string | undefined, recurse: boolean): Promise<{ events: Record<string, unknown>[]; next: string | undefined; recursed: boolean }> {
    const res = await this.client.fetchRelations(roomId, eventId, "m.reference", null, { dir: Direction.Backward, limit: PAGE, ...(from ? { from } : {}), ...(recurse ? { recurse: true } : {}) });
    const events = await this.readable(res.chunk);
    return { events, next: res.next_batch ?? undefined, recursed: (res as { recursion_depth?: unknown }).recursion_depth !== undefined };
  }

  /**
   * Fetched events in the fold's shape: clear ones as the server sent them (no SDK object: a large
   * list is 20,000 of them), encrypted ones through the SDK's Rust crypto.
   */
  private async readable(chunk: readonly IEvent[]): Promise<Record<string, unknown>[]> {
    const encrypted = chunk.filter((e) => e.type === "m.room.encrypted").map(this.client.getEventMapper());
    await Promise.all(encrypted.map((e) => this.client.decryptEventIfNeeded(e)));
    const decrypted = new Map(encrypted.map((e) => [e.getId(), foldRaw(e)]));
    const out: Record<string, unknown>[] = [];
    for (const e of chunk) {
      const raw = e.type === "m.room.encrypted" ? decrypted.get(e.event_id) : { event_id: e.event_id, type: e.type, sender: e.sender, origin_server_ts: e.origin_server_ts, content: e.content, unsigned: e.unsigned ?? {}, ...(e.redacts !== undefined ? { redacts: e.redacts } : {}) };
      if (raw !== undefined) out.push(raw);
    }
    return out;
  }

  private async all(roomId: string, eventId: string, recurse: boolean): Promise<{ events: Record<string, unknown>[]; recursed: boolean }> {
    const events: Record<string, unknown>[] = [];
    let from: string | undefined;
    let recursed = false;
    do {
      const p = await this.page(roomId, eventId, from, recurse);
      events.push(...p.events);
      recursed ||= p.recursed;
      from = p.next;
    } while (from !== undefined);
    return { events, recursed };
  }

  /**
   * Every event of a list: the roots under the anchor and what references them. A small list
   * (its roots fit in one page of relations) is read through the anchor's relations with
   * `recurse`; a large one by reading the room's history back to the anchor with /messages
   * (1,000 events a page, only the event types a list is made of): measured with 2,000 tasks and
   * 20,000 updates, recursive relations took 220 pages of 100 whose cost grows with the list
   * (tests/bench/tasks-views.ts). Everything of a list comes after its anchor.
   */
  private async fetchList(roomId: string, anchor: string, rootMsgtype: string): Promise<Record<string, unknown>[]> {
    const first = await this.page(roomId, anchor, undefined, false);
    if (first.next !== undefined) return this.historySince(roomId, anchor);
    const { events, recursed } = await this.all(roomId, anchor, true);
    if (recursed) return events;
    const roots = events.filter((e) => (e["content"] as Record<string, unknown>)["msgtype"] === rootMsgtype).map((e) => String(e["event_id"]));
    for (const root of roots) events.push(...(await this.all(roomId, root, false)).events);
    return events;
  }

  /** The room's events of the types a list is made of, from now back to the anchor, decrypted. */
  private async historySince(roomId: string, anchor: string): Promise<Record<string, unknown>[]> {
    const filter = JSON.stringify({ types: ["m.room.message", "m.room.encrypted", ...FOLDED] });
    const out: Record<string, unknown>[] = [];
    let from: string | undefined;
    for (;;) {
      const res = await this.client.http.authedRequest<{ chunk?: IEvent[]; end?: string }>(Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: String(HISTORY_PAGE), filter, ...(from ? { from } : {}) });
      const chunk = res.chunk ?? [];
      out.push(...(await this.readable(chunk)));
      if (chunk.length === 0 || res.end === undefined || chunk.some((e) => e.event_id === anchor)) return out;
      from = res.end;
    }
  }

  /**
   * A list's events: fetched once, then kept up to date from the live timeline (absorb), so a
   * view refreshing after each task event refolds in memory instead of refetching the list. The
   * cache exists before its fetch starts, so an event arriving meanwhile is not lost.
   */
  private async listEvents(roomId: string, anchor: string, rootMsgtype: string): Promise<Record<string, unknown>[]> {
    const key = `${roomId}\n${anchor}`;
    let cache = this.lists.get(key);
    if (cache === undefined) {
      const events = new Map<string, Record<string, unknown>>();
      const ready = this.fetchList(roomId, anchor, rootMsgtype).then((list) => {
        for (const e of list) if (!events.has(String(e["event_id"]))) events.set(String(e["event_id"]), e);
      });
      const created = { roomId, events, ready };
      cache = created;
      this.lists.set(key, created);
      ready.catch(() => { if (this.lists.get(key) === created) this.lists.delete(key); });
    }
    await cache.ready;
    return [...cache.events.values()];
  }

  /** A live (or late-decrypted) event of a room with a cached list joins that list's events. */
  private absorb(e: MatrixEvent): void {
    const roomId = e.getRoomId();
    const id = e.getId();
    if (roomId === undefined || id === undefined || !id.startsWith("$")) return;
    const type = e.getType();
    const msgtype = e.getContent()["msgtype"];
    if (!FOLDED.has(type) && msgtype !== TASK_MSGTYPE && msgtype !== OBJECTIVE_MSGTYPE) return;
    const raw = foldRaw(e);
    if (raw === undefined) return; // still encrypted: its Decrypted event comes later
    for (const c of this.lists.values()) if (c.roomId === roomId) c.events.set(id, raw);
  }

  private async foldRoomTasks(room: Room): Promise<TaskFoldResult | undefined> {
    const state = parseTasksState(this.stateContent(room, TASKS_STATE));
    if (!state.ok) return undefined;
    const events = await this.listEvents(room.roomId, state.value.anchor, TASK_MSGTYPE);
    return foldTasks({ events, levels: this.levels(room), config: state.value });
  }

  async taskLists(): Promise<RoomTaskList[]> {
    const rooms = this.joined().filter((r) => this.stateContent(r, TASKS_STATE) !== undefined && !r.isSpaceRoom());
    const lists = await Promise.all(rooms.map(async (room) => {
      const folded = await this.foldRoomTasks(room).catch(() => undefined);
      return folded === undefined ? undefined : { roomId: room.roomId, roomName: room.name, tasks: [...folded.tasks.values()] };
    }));
    return lists.filter((l) => l !== undefined);
  }

  async setTaskStatus(roomId: string, taskId: string, status: TaskStatus): Promise<void> {
    const room = this.client.getRoom(roomId);
    const folded = room ? await this.foldRoomTasks(room) : undefined;
    if (folded === undefined || !folded.tasks.has(taskId)) throw new Error("unknown task");
    await sendAny(this.client, roomId, TASK_UPDATE, buildTaskUpdate({ root: taskId, clock: nextClock(folded.maxClock), set: { status } }));
    this.dropRoom(roomId); // read again with our own event as the server stored it
  }

  spaces(): SpaceRef[] {
    return this.joined().filter((r) => r.isSpaceRoom()).map((r) => ({ spaceId: r.roomId, name: r.name })).sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  private spaceRooms(spaceId: string): Room[] {
    const space = this.client.getRoom(spaceId);
    if (space === null) return [];
    const children = spaceChildIds(space);
    return [space, ...children.map((id) => this.client.getRoom(id)).filter((r): r is Room => r !== null && r.getMyMembership() === "join")];
  }

  private async roomObjectives(room: Room): Promise<{ objectives: ReturnType<typeof foldObjectives>; tasks: TaskFoldResult | undefined } | undefined> {
    const state = parseObjectivesState(this.stateContent(room, OBJECTIVES_STATE));
    const tasks = await this.foldRoomTasks(room).catch(() => undefined);
    if (!state.ok) return tasks === undefined ? undefined : { objectives: foldObjectives({ events: [], levels: this.levels(room) }), tasks };
    const events = await this.listEvents(room.roomId, state.value.anchor, OBJECTIVE_MSGTYPE);
    return { objectives: foldObjectives({ events, levels: this.levels(room), config: state.value }), tasks };
  }

  async spaceObjectives(spaceId: string): Promise<RoomObjectives[]> {
    const out = await Promise.all(this.spaceRooms(spaceId).map(async (room) => {
      const r = await this.roomObjectives(room);
      return r === undefined ? undefined : { roomId: room.roomId, roomName: room.name, objectives: [...r.objectives.objectives.values()], tasks: [...(r.tasks?.tasks.values() ?? [])] };
    }));
    return out.filter((r) => r !== undefined);
  }

  async addCheckin(roomId: string, objectiveId: string, keyResult: string, value: number, note?: string): Promise<void> {
    const room = this.client.getRoom(roomId);
    const r = room ? await this.roomObjectives(room) : undefined;
    const objective = r?.objectives.objectives.get(objectiveId);
    if (r === undefined || objective === undefined || !objective.keyResults.some((k) => k.id === keyResult)) throw new Error("unknown key result");
    await sendAny(this.client, roomId, OBJECTIVE_CHECKIN, buildCheckin({ root: objectiveId, clock: nextClock(r.objectives.maxClock), keyResult, value, ...(note ? { note } : {}) }));
    this.dropRoom(roomId);
  }

  onChange(listener: () => void): () => void {
    const c = this.client;
    const relevant = (e: MatrixEvent): boolean => {
      const type = e.getType();
      const msgtype = e.getContent()["msgtype"];
      return RELEVANT.has(type) || msgtype === TASK_MSGTYPE || msgtype === OBJECTIVE_MSGTYPE;
    };
    const onEvent = (e: MatrixEvent): void => { if (relevant(e)) listener(); };
    c.on(RoomEvent.Timeline, onEvent);
    c.on(MatrixEventEvent.Decrypted, onEvent);
    c.on(RoomStateEvent.Events, onEvent);
    return () => {
      c.off(RoomEvent.Timeline, onEvent);
      c.off(MatrixEventEvent.Decrypted, onEvent);
      c.off(RoomStateEvent.Events, onEvent);
    };
  }
}
