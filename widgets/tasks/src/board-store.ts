// The board's data: the room's task list read through the widget API and folded with the
// protocol's fold, kept current by live events. Reads: `fr.entente.tasks` state (anchor, columns,
// permissions), power levels and the create event (v12 creators), the roots related to the anchor
// (m.reference), each root's updates (m.reference) and, when a task is opened, its thread.
// Writes: roots (`m.room.message`/`fr.entente.task`), `fr.entente.task.update` with the next
// Lamport clock, and thread replies. The room is the source of truth; this is a cache.
import { ROOM_MESSAGE, ROOM_POWER_LEVELS, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE } from "../../../appservices/protocol/src/event-types.ts";
import { parseRoomPowerLevels, type RoomPowerLevels } from "../../../appservices/protocol/src/power-levels.ts";
import { nextClock } from "../../../appservices/protocol/src/room-events.ts";
import { foldTasks, TaskFold, type TaskFoldResult } from "../../../appservices/protocol/src/task-fold.ts";
import { buildTaskRoot, type TaskRootInput } from "../../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate, type ChecklistOps } from "../../../appservices/protocol/src/task-update.ts";
import type { PartialTaskFields } from "../../../appservices/protocol/src/task-fields.ts";
import { parseTasksState, type TasksState } from "../../../appservices/protocol/src/tasks-state.ts";
import type { BoardPort, RawEvent } from "./board-port.ts";
import { measureSince, now } from "./load-marks.ts";
import { MemberEventOrder, MemberLabels } from "../../kit/src/member-labels.ts";

export const ROOM_CREATE = "m.room.create";
export const ROOM_MEMBER = "m.room.member";
/** Event types the board receives live (its capabilities ask exactly for these). */
export const LIVE_TYPES = [TASKS_STATE, ROOM_POWER_LEVELS, ROOM_CREATE, ROOM_MESSAGE, TASK_UPDATE, ROOM_REDACTION, ROOM_MEMBER] as const;

/** A joined member, for the assignee picker. */
export interface Member {
  userId: string;
  displayName: string | undefined;
}

export type BoardStatus = "loading" | "ready" | "no-list" | "bad-list" | "error";

export interface Comment {
  eventId: string;
  sender: string;
  ts: number;
  body: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const contentOf = (e: RawEvent): Record<string, unknown> => (isObj(e["content"]) ? e["content"] : {});
function relation(e: RawEvent): { relType: string; eventId: string } | undefined {
  const r = contentOf(e)["m.relates_to"];
  return isObj(r) && typeof r["rel_type"] === "string" && typeof r["event_id"] === "string" ? { relType: r["rel_type"], eventId: r["event_id"] } : undefined;
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class BoardStore {
  status: BoardStatus = "loading";
  problem = "";
  config: TasksState | undefined;
  levels: RoomPowerLevels = parseRoomPowerLevels({});
  result: TaskFoldResult = { tasks: new Map(), skipped: [], maxClock: 0 };
  /** Joined members by user id (any council). */
  readonly members = new Map<string, Member>();
  #labels: MemberLabels | undefined;
  readonly #memberOrder = new MemberEventOrder();
  readonly #port: BoardPort;
  readonly #events = new Map<string, RawEvent>();
  readonly #comments = new Map<string, Map<string, Comment>>();
  #powerLevels: unknown = {};
  #create: { sender: string; content: unknown } | undefined;
  // The state events in use, by event id: the client pushes the room's state when the board starts
  // (seen here as live events too) while the board reads the same events; the same event again
  // changes nothing (it made the list read's fold page by page unusable, and refolded meanwhile).
  #powerLevelsId: string | undefined;
  #createId: string | undefined;
  #listStateId: string | undefined;
  #listLoad: Promise<void> = Promise.resolve();
  /** load() has read the state: until then a pushed list state is left to it (the levels are not all known yet). */
  #stateRead = false;
  /**
   * The newest list state pushed before load() had read the state: the client may have answered
   * the read before it received this one (a list set up again meanwhile), so load() uses it when
   * it is newer than the one read.
   */
  #pushedListState: RawEvent | undefined;
  #listeners = new Set<() => void>();
  #off: (() => void) | undefined;
  /** Lamport clocks this widget sent and not yet seen back: the next clock is above them too. */
  #sentClock = 0;
  /** The fold made page by page while the list is read (#readTree): list events that come live meanwhile are added to it too. */
  #readingInto: TaskFold | undefined;

  readonly #userId: string;

  constructor(port: BoardPort, userId = "") {
    this.#port = port;
    this.#userId = userId;
  }

  onChange(l: () => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  /** `prepared`: the list's fold made page by page while it was read, when it holds exactly #events. */
  #refold(prepared?: TaskFold): void {
    const start = now();
    this.result = prepared !== undefined ? prepared.result() : foldTasks({ events: this.#events.values(), levels: this.levels, ...(this.config ? { config: this.config } : {}) });
    measureSince("fold", start);
    this.#changed();
  }

  async load(): Promise<void> {
    // Live events first, so nothing sent while the list loads is missed (duplicates are harmless).
    this.#off ??= this.#port.onEvent((e) => this.#live(e));
    this.status = "loading";
    const started = now();
    try {
      // Members (display names, the picker) come alongside: the client may first load them from
      // the server (lazy loading), which must not hold the list back.
      const members = this.#port.members().catch(() => []).then((ms) => { for (const m of ms) this.#member(m); });
      const [tasks, pl, create] = await Promise.all([
        this.#port.readState(TASKS_STATE, ""), this.#port.readState(ROOM_POWER_LEVELS, ""), this.#port.readState(ROOM_CREATE, ""),
      ]);
      this.#stateRead = true;
      const list = newerListState(tasks, this.#pushedListState);
      this.#pushedListState = undefined;
      const newCreate = create !== undefined && create.event_id !== this.#createId;
      const newLevels = pl === undefined ? this.#powerLevelsId === undefined : pl.event_id !== this.#powerLevelsId;
      if (newCreate || newLevels) {
        if (create !== undefined) {
          this.#create = { sender: create.sender, content: create["content"] };
          this.#createId = create.event_id;
        }
        this.#powerLevels = pl?.["content"] ?? {};
        this.#powerLevelsId = pl?.event_id;
        this.levels = parseRoomPowerLevels(this.#powerLevels, this.#create);
      }
      if (list === undefined) {
        await members;
        this.status = "no-list";
        this.#changed();
        return;
      }
      measureSince("state", started);
      await Promise.all([this.#loadList(list["content"], list.event_id), members.then(() => this.#changed())]);
    } catch (err) {
      this.status = "error";
      this.problem = err instanceof Error ? err.message : String(err);
      this.#changed();
    }
  }

  /** The list set up by the `fr.entente.tasks` state event `eventId` (the same event again: the load under way). */
  #loadList(content: unknown, eventId: string | undefined): Promise<void> {
    if (eventId !== undefined && eventId === this.#listStateId) return this.#listLoad;
    this.#listStateId = eventId;
    this.#listLoad = this.#loadListOf(content);
    return this.#listLoad;
  }

  async #loadListOf(content: unknown): Promise<void> {
    const parsed = parseTasksState(content);
    if (!parsed.ok) {
      this.status = "bad-list";
      this.problem = parsed.reason;
      this.config = undefined;
      this.#changed();
      return;
    }
    const anchorChanged = this.config?.anchor !== parsed.value.anchor;
    this.config = parsed.value;
    if (!anchorChanged) return this.#refold();
    this.status = "loading";
    this.#changed();
    const prepared = await this.#readList(parsed.value.anchor);
    this.status = "ready";
    this.#refold(prepared);
  }

  /**
   * The anchor's whole tree in one paged request (roots reference the anchor, updates reference
   * the roots: `recurse` with m.reference brings both, and no thread reply). A client that does
   * not recurse gets the old way: the roots, then each root's updates, 6 requests at a time.
   */
  async #readList(anchor: string): Promise<TaskFold | undefined> {
    const start = now();
    try {
      return await this.#readTree(anchor);
    } finally {
      measureSince("read", start);
    }
  }

  /**
   * Returns the list's fold made page by page as the pages came (TaskFold: the same result as
   * foldTasks on every event, its work done while the next pages were read), when the power
   * levels and the list's settings did not change meanwhile; else undefined (the caller folds
   * everything). The fold holds what #events holds: the events held before the read (live ones
   * that came first, a previous list's), the pages, and list events that came live meanwhile
   * (the client feeds its timeline's events as the board starts: they were a whole refold after
   * every load). TaskFold keeps an id's first copy unless a later one is a redacted copy, #events
   * its last copy: the same events.
   */
  async #readTree(anchor: string): Promise<TaskFold | undefined> {
    const levels = this.levels;
    const config = this.config;
    const fold = new TaskFold({ levels, ...(config ? { config } : {}) });
    if (this.#events.size > 0) fold.add([...this.#events.values()]);
    const isListEvent = (e: RawEvent): boolean => e.type === TASK_UPDATE || (e.type === ROOM_MESSAGE && contentOf(e)["msgtype"] === TASK_MSGTYPE);
    let added = 0;
    const onPage = (page: RawEvent[]): void => {
      const start = now();
      const kept = page.filter(isListEvent);
      for (const e of kept) this.#events.set(e.event_id, e);
      fold.add(kept);
      added += kept.length;
      measureSince("fold-page", start);
    };
    this.#readingInto = fold;
    const tree = await this.#port.relationTree(anchor, "m.reference", onPage).catch(() => undefined).finally(() => (this.#readingInto = undefined));
    if (tree !== undefined) {
      let listEvents = 0;
      for (const e of tree) {
        if (!isListEvent(e)) continue;
        listEvents++;
        if (!this.#events.has(e.event_id)) this.#events.set(e.event_id, e); // a port that gives no pages along the way
      }
      // The fold holds what #events holds when every list event of the tree came through onPage.
      const exact = this.levels === levels && this.config === config && added === listEvents;
      return exact ? fold : undefined;
    }
    const roots = await this.#port.relations(anchor, "m.reference", ROOM_MESSAGE);
    for (const r of roots) this.#events.set(r.event_id, r);
    await eachLimited(roots.filter((r) => contentOf(r)["msgtype"] === TASK_MSGTYPE), 6, async (root) => {
      for (const u of await this.#port.relations(root.event_id, "m.reference", TASK_UPDATE)) this.#events.set(u.event_id, u);
    });
    return undefined;
  }

  stop(): void {
    this.#off?.();
    this.#off = undefined;
  }

  /** Keeps joined members; returns whether the list changed. */
  #member(e: RawEvent): boolean {
    const userId = e["state_key"];
    if (typeof userId !== "string" || !userId.startsWith("@") || !this.#memberOrder.take(userId, e)) return false;
    const c = contentOf(e);
    if (c["membership"] !== "join") {
      if (!this.members.delete(userId)) return false;
      this.#labels = undefined;
      return true;
    }
    const name = c["displayname"];
    this.members.set(userId, { userId, displayName: typeof name === "string" && name.trim() !== "" ? name : undefined });
    this.#labels = undefined;
    return true;
  }

  /** The members' names on cards and in lists, built once per change of the members (O(1) a name then). */
  get memberLabels(): MemberLabels {
    this.#labels ??= new MemberLabels(this.members.values());
    return this.#labels;
  }

  /** A live event from the client. */
  #live(e: RawEvent): void {
    if (e.type === ROOM_MEMBER) {
      if (this.#member(e)) this.#changed();
      return;
    }
    if (e.type === TASKS_STATE && e["state_key"] === "") {
      // Pushed with the power levels and the create event, in any order: read before load() has
      // them, the list would be folded with other levels than the board's, and folded again.
      if (!this.#stateRead) {
        // kept for load(); after a failed load, a (new) list state is a reason to try again
        this.#pushedListState = newerListState(this.#pushedListState, e);
        if (this.status === "error") void this.load();
        return;
      }
      void this.#loadList(e["content"], e.event_id).catch(() => undefined);
      return;
    }
    if (e.type === ROOM_POWER_LEVELS && e["state_key"] === "") {
      if (e.event_id === this.#powerLevelsId) return;
      this.#powerLevelsId = e.event_id;
      this.#powerLevels = e["content"];
      this.levels = parseRoomPowerLevels(this.#powerLevels, this.#create);
      return this.#levelsChanged();
    }
    if (e.type === ROOM_CREATE) {
      // Pushed with the room state (v12 creators count for the fold's permission checks).
      if (e["state_key"] !== "" || e.event_id === this.#createId) return;
      this.#createId = e.event_id;
      this.#create = { sender: e.sender, content: e["content"] };
      this.levels = parseRoomPowerLevels(this.#powerLevels, this.#create);
      return this.#levelsChanged();
    }
    const rel = relation(e);
    if (e.type === ROOM_MESSAGE && rel?.relType === "m.thread") {
      const body = contentOf(e)["body"];
      if (typeof body === "string") this.#thread(rel.eventId).set(e.event_id, { eventId: e.event_id, sender: e.sender, ts: Number(e["origin_server_ts"] ?? 0), body });
      return this.#changed();
    }
    const isRoot = e.type === ROOM_MESSAGE && contentOf(e)["msgtype"] === TASK_MSGTYPE;
    if (isRoot || e.type === TASK_UPDATE || e.type === ROOM_REDACTION) {
      this.#events.set(e.event_id, e);
      this.#readingInto?.add([e]);
      if (this.status === "ready") this.#refold();
    }
  }

  /** New levels: the list folded again when it is shown (a list being read is folded at its end, again if the levels changed meanwhile). */
  #levelsChanged(): void {
    if (this.status === "ready") this.#refold();
    else this.#changed();
  }

  #thread(rootId: string): Map<string, Comment> {
    let m = this.#comments.get(rootId);
    if (m === undefined) this.#comments.set(rootId, (m = new Map()));
    return m;
  }

  comments(rootId: string): Comment[] {
    return [...(this.#comments.get(rootId)?.values() ?? [])].sort((a, b) => a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1));
  }

  async loadComments(rootId: string): Promise<void> {
    const replies = await this.#port.relations(rootId, "m.thread", ROOM_MESSAGE);
    const thread = this.#thread(rootId);
    for (const e of replies) {
      const body = contentOf(e)["body"];
      if (typeof body === "string") thread.set(e.event_id, { eventId: e.event_id, sender: e.sender, ts: Number(e["origin_server_ts"] ?? 0), body });
    }
    this.#changed();
  }

  nextClock(): number {
    const c = nextClock(Math.max(this.result.maxClock, this.#sentClock));
    this.#sentClock = c;
    return c;
  }

  async createTask(input: Omit<TaskRootInput, "anchor">): Promise<string> {
    if (this.config === undefined) throw new Error("no task list");
    const anchor = this.config.anchor;
    const id = await this.#port.send(ROOM_MESSAGE, buildTaskRoot({ ...input, anchor }));
    await this.#echo(id, anchor, ROOM_MESSAGE);
    return id;
  }

  async update(taskId: string, change: { set?: PartialTaskFields; checklist?: Partial<ChecklistOps>; delete?: boolean }): Promise<string> {
    const id = await this.#port.send(TASK_UPDATE, buildTaskUpdate({ root: taskId, clock: this.nextClock(), ...change }));
    await this.#echo(id, taskId, TASK_UPDATE);
    return id;
  }

  /**
   * Our own event as the server stored it (its origin_server_ts is part of the fold order), read
   * back from the latest relations of its target: clients do not all push a widget its own events
   * (ours and Element's replace the local echo in place), so the board does not wait for that.
   */
  async #echo(eventId: string, target: string, type: string): Promise<void> {
    try {
      const recent = await this.#port.recent(target, "m.reference", type, 20);
      const mine = recent.find((e) => e.event_id === eventId);
      if (mine === undefined || this.#events.has(eventId)) return;
      this.#events.set(eventId, mine);
      if (this.status === "ready") this.#refold();
    } catch {
      // The live feed or the next load brings it.
    }
  }

  async comment(rootId: string, text: string): Promise<string> {
    // A thread reply, as Element writes it (fallback reply to the latest event of the thread).
    const last = this.comments(rootId).at(-1)?.eventId ?? rootId;
    const id = await this.#port.send(ROOM_MESSAGE, {
      msgtype: "m.text",
      body: text,
      "m.relates_to": { rel_type: "m.thread", event_id: rootId, is_falling_back: true, "m.in_reply_to": { event_id: last } },
    });
    // Shown at once; the time is ours until the thread is read again.
    this.#thread(rootId).set(id, { eventId: id, sender: this.#userId, ts: Date.now(), body: text });
    this.#changed();
    return id;
  }
}

/** Of two `fr.entente.tasks` state events (either may be missing), the one sent last. */
function newerListState(a: RawEvent | undefined, b: RawEvent | undefined): RawEvent | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const ts = (e: RawEvent): number => (typeof e.origin_server_ts === "number" ? e.origin_server_ts : 0);
  return b.event_id !== a.event_id && ts(b) > ts(a) ? b : a;
}
