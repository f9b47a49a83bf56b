// TasksPort over matrix-js-sdk. A list is read from the room itself: its state (fr.entente.tasks
// or fr.entente.objectives, power levels, create event for v12 creators) and its events through
// ListReader (list-reader.ts), decrypted by the SDK's Rust crypto, folded by the protocol. Writes
// are the protocol's events (docs/tasks-protocol.md), each with a Lamport clock one above the
// largest the list has seen, checked first against the rules the fold applies, so the agent is
// told at once rather than seeing their change silently skipped by every reader.
import { MatrixEventEvent, RoomEvent, RoomStateEvent, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import {
  buildAnchor, buildCheckin, buildObjectiveRoot, buildObjectivesState, buildObjectiveUpdate, buildTaskUpdate, DEFAULT_TASK_PERMISSIONS,
  foldObjectives, foldTasks, nextClock, OBJECTIVE_MSGTYPE, OBJECTIVELIST_ANCHOR, OBJECTIVE_CHECKIN, OBJECTIVE_UPDATE, OBJECTIVES_STATE, parseObjectivesState,
  parseRoomPowerLevels, parseTasksState, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE, timeZoneFromProfile, declaredServiceMembers, FUNCTIONAL_MEMBERS, isServiceMember,
  type ObjectivesState, type RoomPowerLevels, type TaskFoldResult, type TaskStatus,
} from "./protocol.ts";
import { sendAny, sendStateAny } from "../sdk-untyped.ts";
import { spaceChildIds } from "../space-children.ts";
import { readMyTimeZone } from "../my-time-zone.ts";
import { FOLDED, ListReader } from "./list-reader.ts";
import type { RoomTaskList } from "./my-tasks.ts";
import type { RoomObjectives } from "./objectives-dashboard.ts";
import type { ObjectiveChange } from "./objective-draft.ts";
import { mayEditTask, type TaskChange } from "./task-edit.ts";
import { mayDeleteObjective, mayEditObjective, objectivesAccess, ObjectivesAccessError } from "./objectives-setup.ts";
import type { MemberRef, NewObjective, ObjectiveRoomChoice, SpaceRef, TasksPort } from "./tasks-port.ts";

const RELEVANT = new Set([...FOLDED, TASKS_STATE, OBJECTIVES_STATE]);

type ObjectivesFold = ReturnType<typeof foldObjectives>;

export class MatrixTasksPort implements TasksPort {
  readonly userId: string;
  private readonly client: MatrixClient;
  private readonly reader: ListReader;
  private zone: Promise<string> | undefined;
  /** One set-up at a time per room (its anchor): two quick creations must not make two anchors. */
  private readonly settingUp = new Map<string, Promise<string>>();

  constructor(client: MatrixClient) {
    this.client = client;
    this.userId = client.getSafeUserId();
    this.reader = new ListReader(client);
  }

  timeZone(): Promise<string> {
    this.zone ??= readMyTimeZone(this.client).then((tz) => timeZoneFromProfile({ "m.tz": tz }));
    return this.zone;
  }

  private joined(): Room[] {
    return this.client.getRooms().filter((r) => r.getMyMembership() === "join");
  }

  private levels(room: Room): RoomPowerLevels {
    const create = room.currentState.getStateEvents("m.room.create", "");
    return parseRoomPowerLevels(this.stateContent(room, "m.room.power_levels") ?? {}, create ? { sender: create.getSender() ?? "", content: create.getContent() } : undefined);
  }

  private stateContent(room: Room, type: string): Record<string, unknown> | undefined {
    const e = room.currentState.getStateEvents(type, "");
    return e === null || e.isRedacted() ? undefined : e.getContent();
  }

  private objectivesState(room: Room): ObjectivesState | undefined {
    const s = parseObjectivesState(this.stateContent(room, OBJECTIVES_STATE));
    return s.ok ? s.value : undefined;
  }

  private room(roomId: string): Room {
    const room = this.client.getRoom(roomId);
    if (room === null || room.getMyMembership() !== "join") throw new Error(`not in room ${roomId}`);
    return room;
  }

  private async foldRoomTasks(room: Room): Promise<TaskFoldResult | undefined> {
    const state = parseTasksState(this.stateContent(room, TASKS_STATE));
    if (!state.ok) return undefined;
    const events = await this.reader.listEvents(room.roomId, state.value.anchor, TASK_MSGTYPE);
    const t0 = performance.now();
    const folded = foldTasks({ events, levels: this.levels(room), config: state.value });
    performance.measure("entente:tasks:fold", { start: t0, end: performance.now() });
    return folded;
  }

  private async foldRoomObjectives(room: Room): Promise<ObjectivesFold | undefined> {
    const state = this.objectivesState(room);
    if (state === undefined) return undefined;
    const events = await this.reader.listEvents(room.roomId, state.anchor, OBJECTIVE_MSGTYPE);
    return foldObjectives({ events, levels: this.levels(room), config: state });
  }

  async taskLists(): Promise<RoomTaskList[]> {
    const rooms = this.joined().filter((r) => this.stateContent(r, TASKS_STATE) !== undefined && !r.isSpaceRoom());
    const lists = await Promise.all(rooms.map(async (room) => {
      const folded = await this.foldRoomTasks(room).catch(() => undefined);
      return folded === undefined ? undefined : { roomId: room.roomId, roomName: room.name, tasks: [...folded.tasks.values()] };
    }));
    return lists.filter((l) => l !== undefined);
  }

  /** Sends a task update after the fold's edit rule (edit level, or creator or assignee: task-edit.ts). */
  private async updateTask(roomId: string, taskId: string, set: Record<string, unknown>, action: "edit" | "link", done?: Record<string, boolean>): Promise<void> {
    const room = this.room(roomId);
    const folded = await this.foldRoomTasks(room);
    const task = folded?.tasks.get(taskId);
    if (folded === undefined || task === undefined || task.deleted) throw new Error("unknown task");
    const state = parseTasksState(this.stateContent(room, TASKS_STATE));
    const may = mayEditTask(task, this.userId, this.levels(room), state.ok ? state.value.permissions : DEFAULT_TASK_PERMISSIONS);
    if (may !== true) throw new ObjectivesAccessError({ kind: "forbidden", action, needed: may.needed, mine: may.mine });
    await sendAny(this.client, roomId, TASK_UPDATE, buildTaskUpdate({ root: taskId, clock: nextClock(folded.maxClock), set, ...(done === undefined ? {} : { checklist: { done } }) }));
    this.reader.dropRoom(roomId); // read again with our own event as the server stored it
  }

  editTask(roomId: string, taskId: string, change: TaskChange): Promise<void> {
    return this.updateTask(roomId, taskId, change.set, "edit", change.done);
  }

  setTaskStatus(roomId: string, taskId: string, status: TaskStatus): Promise<void> {
    return this.updateTask(roomId, taskId, { status }, "edit");
  }

  linkTask(roomId: string, taskId: string, objectiveId: string | null): Promise<void> {
    return this.updateTask(roomId, taskId, { objective: objectiveId }, "link");
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

  async spaceObjectives(spaceId: string): Promise<RoomObjectives[]> {
    const out = await Promise.all(this.spaceRooms(spaceId).map(async (room) => {
      const [objectives, tasks] = await Promise.all([this.foldRoomObjectives(room), this.foldRoomTasks(room).catch(() => undefined)]);
      if (objectives === undefined && tasks === undefined) return undefined;
      return { roomId: room.roomId, roomName: room.name, objectives: [...(objectives?.objectives.values() ?? [])], tasks: [...(tasks?.tasks.values() ?? [])] };
    }));
    return out.filter((r) => r !== undefined);
  }

  async addCheckin(roomId: string, objectiveId: string, keyResult: string, value: number, note?: string): Promise<void> {
    const folded = await this.foldRoomObjectives(this.room(roomId));
    const objective = folded?.objectives.get(objectiveId);
    if (folded === undefined || objective === undefined || !objective.keyResults.some((k) => k.id === keyResult)) throw new Error("unknown key result");
    await sendAny(this.client, roomId, OBJECTIVE_CHECKIN, buildCheckin({ root: objectiveId, clock: nextClock(folded.maxClock), keyResult, value, ...(note ? { note } : {}) }));
    this.reader.dropRoom(roomId);
  }

  private access(room: Room): ObjectiveRoomChoice["access"] {
    return objectivesAccess({ userId: this.userId, levels: this.levels(room), powerLevelsContent: this.stateContent(room, "m.room.power_levels"), state: this.objectivesState(room) });
  }

  objectiveRooms(spaceId: string): ObjectiveRoomChoice[] {
    // The space's rooms; the space itself only when it already holds objectives.
    return this.spaceRooms(spaceId)
      .filter((r) => !r.isSpaceRoom() || this.objectivesState(r) !== undefined)
      .map((r) => ({ roomId: r.roomId, name: r.name, access: this.access(r) }))
      .sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  /** The people of the space's rooms (bots left out: they cannot own an objective). */
  async spaceMembers(spaceId: string): Promise<MemberRef[]> {
    const byId = new Map<string, MemberRef>();
    for (const room of this.spaceRooms(spaceId)) {
      await room.loadMembersIfNeeded();
      const bots = declaredServiceMembers(this.stateContent(room, FUNCTIONAL_MEMBERS));
      for (const m of room.getJoinedMembers()) {
        if (!byId.has(m.userId) && !isServiceMember(m.userId, bots)) byId.set(m.userId, { userId: m.userId, name: m.name || m.userId });
      }
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, "fr") || (a.userId < b.userId ? -1 : 1));
  }

  /** Sends the objectives anchor and state (protocol §6); one set-up at a time per room. Its anchor. */
  private setUpObjectives(room: Room): Promise<string> {
    let p = this.settingUp.get(room.roomId);
    if (p === undefined) {
      p = (async () => {
        const anchor = (await sendAny(this.client, room.roomId, OBJECTIVELIST_ANCHOR, buildAnchor("Objectifs"))).event_id;
        await sendStateAny(this.client, room.roomId, OBJECTIVES_STATE, buildObjectivesState({ anchor }), "");
        return anchor;
      })();
      const started = p;
      // Kept until the state comes back by /sync (objectivesState then answers); dropped on failure.
      const forget = (): void => { if (this.settingUp.get(room.roomId) === started) this.settingUp.delete(room.roomId); };
      p.then(() => setTimeout(forget, 60_000), forget);
      this.settingUp.set(room.roomId, p);
    }
    return p;
  }

  async createObjective(roomId: string, objective: NewObjective): Promise<string> {
    const room = this.room(roomId);
    const access = this.access(room);
    if (access.kind === "forbidden") throw new ObjectivesAccessError(access);
    const anchor = access.kind === "setup" ? await this.setUpObjectives(room) : this.objectivesState(room)?.anchor;
    if (anchor === undefined) throw new Error("the objectives list could not be set up");
    const { keyResults, ...fields } = objective;
    const { event_id } = await sendAny(this.client, roomId, "m.room.message", buildObjectiveRoot({ anchor, ...fields, keyResults }));
    this.reader.dropRoom(roomId);
    return event_id;
  }

  updateObjective(roomId: string, objectiveId: string, change: ObjectiveChange): Promise<void> {
    return this.sendObjectiveUpdate(roomId, objectiveId, "edit", { set: change.set, keyResults: change.keyResults });
  }

  deleteObjective(roomId: string, objectiveId: string): Promise<void> {
    return this.sendObjectiveUpdate(roomId, objectiveId, "delete", { delete: true });
  }

  /** One fr.entente.objective.update, after checking it as the fold will (ObjectivesAccessError otherwise). */
  private async sendObjectiveUpdate(roomId: string, objectiveId: string, action: "edit" | "delete", update: Omit<Parameters<typeof buildObjectiveUpdate>[0], "root" | "clock">): Promise<void> {
    const room = this.room(roomId);
    const folded = await this.foldRoomObjectives(room);
    const o = folded?.objectives.get(objectiveId);
    if (folded === undefined || o === undefined || o.deleted) throw new Error("unknown objective");
    const may = (action === "edit" ? mayEditObjective : mayDeleteObjective)(o, this.userId, this.levels(room), this.objectivesState(room));
    if (!may.ok) throw new ObjectivesAccessError({ kind: "forbidden", action, needed: may.needed, mine: may.mine });
    await sendAny(this.client, roomId, OBJECTIVE_UPDATE, buildObjectiveUpdate({ root: objectiveId, clock: nextClock(folded.maxClock), ...update }));
    this.reader.dropRoom(roomId);
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
