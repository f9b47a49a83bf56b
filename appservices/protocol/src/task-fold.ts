// THE fold of a task list: the same function runs in the bot, the widget and the client, and gives
// the same state from the same set of events whatever order federation delivered them in
// (docs/tasks-protocol.md "Fold rules"). Pure: events in, state and skip reasons out.
import { ROOM_MESSAGE, TASK_MSGTYPE, TASK_UPDATE } from "./event-types.ts";
import { userLevel, type RoomPowerLevels } from "./power-levels.ts";
import type { JsonObject } from "./parse.ts";
import { RoomEventIndexer, rawContent, type CheckedRawEvent } from "./room-event-index.ts";
import { sortSkipped, type SkippedEvent } from "./room-events.ts";
import type { ChecklistItem, TaskFieldValues } from "./task-fields.ts";
import { parseTaskRoot } from "./task-root.ts";
import { isReferenceId, MAX_CLOCK, parseTaskUpdateOf, referenceTarget } from "./task-update.ts";
import { readTaskUpdate, UpdateReading } from "./task-update-read.ts";
import type { TasksState } from "./tasks-state.ts";
import { DEFAULT_TASK_PERMISSIONS } from "./tasks-state.ts";

export interface Task extends TaskFieldValues {
  /** event id of the root */
  id: string;
  creator: string;
  createdAt: number;
  checklist: ChecklistItem[];
  deleted: boolean;
  /** largest clock applied (0 for an untouched root) */
  clock: number;
  /** number of updates applied */
  updates: number;
  lastUpdatedBy: string;
}

export interface TaskFoldInput {
  /** decrypted room events, any order, duplicates allowed; other event types are ignored */
  events: Iterable<unknown>;
  /** parsed `fr.entente.tasks`; without it, any anchor is accepted and default permissions apply */
  config?: TasksState;
  levels: RoomPowerLevels;
}

export interface TaskFoldResult {
  tasks: Map<string, Task>;
  /** sorted by event id, so two readers compare equal */
  skipped: SkippedEvent[];
  /** largest clock of any well-formed update seen, for nextClock() */
  maxClock: number;
}

/** Mutable working copy of a task while its updates are applied. */
interface Working {
  task: Task;
  /** created on the first removal / `done` operation (most tasks have none) */
  removed: Set<string> | undefined;
  done: Map<string, boolean> | undefined;
}

/**
 * The well-formed references to one event id: the update events, in order of first delivery, and
 * the task accepted under that id, if any. Updates stay raw until their group is folded, and are
 * then read one at a time into one `UpdateReading` (task-update-read.ts) and applied: no parsed
 * update outlives its application, nor is even allocated.
 */
interface Group {
  root: string;
  working: Working | undefined;
  events: CheckedRawEvent[];
}

/** The update's clock when it is a valid wire clock (as `parseClock` judges it), else -1. */
function wireClock(content: JsonObject): number {
  const c = content["clock"];
  return typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= MAX_CLOCK ? c : -1;
}

/** (e, clock a) comes before (f, clock b) in the fold order of `compareFoldOrder` (event ids are unique here). */
function precedes(e: CheckedRawEvent, a: number, f: CheckedRawEvent, b: number): boolean {
  if (a !== b) return a < b;
  if (e.origin_server_ts !== f.origin_server_ts) return e.origin_server_ts < f.origin_server_ts;
  return e.event_id < f.event_id;
}

/**
 * Sorts the first `n` events of a group, and their clocks alongside, into the fold order. A task
 * has a few updates: insertion sort, which allocates nothing; a long history goes through
 * Array.prototype.sort. The order is total (unique event ids), so both give the same result.
 */
function sortGroup(events: CheckedRawEvent[], clocks: number[], n: number): void {
  if (n > 48) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (precedes(events[a]!, clocks[a]!, events[b]!, clocks[b]!) ? -1 : 1));
    const evs = order.map((i) => events[i]!);
    const cls = order.map((i) => clocks[i]!);
    for (let i = 0; i < n; i++) {
      events[i] = evs[i]!;
      clocks[i] = cls[i]!;
    }
    return;
  }
  for (let i = 1; i < n; i++) {
    const e = events[i]!;
    const c = clocks[i]!;
    let j = i - 1;
    while (j >= 0 && precedes(e, c, events[j]!, clocks[j]!)) {
      events[j + 1] = events[j]!;
      clocks[j + 1] = clocks[j]!;
      j--;
    }
    events[j + 1] = e;
    clocks[j + 1] = c;
  }
}

export function foldTasks(input: TaskFoldInput): TaskFoldResult {
  const fold = new TaskFold(input);
  fold.add(input.events);
  return fold.result();
}

/** A root as met (first copy), judged at the end of its add(): its working copy, or why it is not accepted. */
interface MetRoot {
  ev: CheckedRawEvent;
  accepted: Working | string | undefined;
}

/**
 * foldTasks in parts, for a list read page by page: `add` each page as it arrives (each event
 * checked, de-duplicated and grouped under the task it references, each root parsed and judged),
 * then `result()` once, which resolves redactions and applies every update in fold order. The
 * result is foldTasks's on the pages joined in order (foldTasks is this class on one batch): the
 * pages only move the first pass ahead, while later pages are still being read.
 */
export class TaskFold {
  readonly #input: Omit<TaskFoldInput, "events">;
  readonly #permissions: typeof DEFAULT_TASK_PERMISSIONS;
  // The fold reads the raw events themselves: no envelope per event. The de-duplication pass
  // groups each update under the task it references, unparsed; redactions are known only after
  // that pass, hence `gone` in result().
  readonly #roots: MetRoot[] = [];
  // Updates grouped by the event id they reference (in order of first reference), with the task
  // accepted under that id.
  readonly #groups = new Map<string, Group>();
  readonly #groupList: Group[] = [];
  readonly #unreferenced: CheckedRawEvent[] = [];
  readonly #indexer: RoomEventIndexer;
  /** Roots judged so far (the first ones of #roots). */
  #judged = 0;
  #done = false;

  constructor(input: Omit<TaskFoldInput, "events">) {
    this.#input = input;
    this.#permissions = input.config?.permissions ?? DEFAULT_TASK_PERMISSIONS;
    // locals, not fields, in the per-event callback
    const groups = this.#groups;
    const groupList = this.#groupList;
    const unreferenced = this.#unreferenced;
    const roots = this.#roots;
    this.#indexer = new RoomEventIndexer((ev) => {
      const type = ev.type;
      if (type === TASK_UPDATE) {
        const root = referenceTarget(rawContent(ev));
        const group = typeof root === "string" ? groups.get(root) : undefined;
        // A group's id passed `isReferenceId` when the group was made: only a new id is checked.
        if (group !== undefined) group.events.push(ev);
        else if (typeof root === "string" && isReferenceId(root)) {
          const made: Group = { root, working: undefined, events: [ev] };
          groups.set(root, made);
          groupList.push(made);
        } else unreferenced.push(ev);
      } else if (type === ROOM_MESSAGE && rawContent(ev)["msgtype"] === TASK_MSGTYPE) roots.push({ ev, accepted: undefined });
    });
  }

  /** More events (any order, duplicates allowed, as foldTasks takes them). */
  add(events: Iterable<unknown>): void {
    if (this.#done) throw new Error("TaskFold: add() after result()");
    this.#indexer.add(events);
    // The page's roots judged now, in a loop of their own (it depends on the root, the levels and
    // the list's settings only); a root found redacted in result() is skipped as such instead.
    const roots = this.#roots;
    const { create, assign } = this.#permissions;
    for (let i = this.#judged; i < roots.length; i++) {
      const met = roots[i]!;
      met.accepted = acceptRoot(met.ev, rawContent(met.ev), this.#input, create, assign);
    }
    this.#judged = roots.length;
  }

  /** The fold of every event added (once: the working copies are consumed). */
  result(): TaskFoldResult {
    if (this.#done) throw new Error("TaskFold: result() called twice");
    this.#done = true;
    const input = this.#input;
    const permissions = this.#permissions;
    const groups = this.#groups;
    const groupList = this.#groupList;
    const { redacted, replaced, skipped } = this.#indexer.finish(input.levels);
    // Whether an event seen above is skipped as redacted, or not to be read at all (its first copy
    // was replaced by a redacted copy, handled below). Only called when there are redactions.
    const checkRedacted = redacted.size > 0;
    const gone = (ev: CheckedRawEvent): boolean => {
      if (replaced?.has(ev.event_id) === true) return true;
      if (!redacted.has(ev.event_id)) return false;
      skipped.push({ eventId: ev.event_id, reason: "redacted" });
      return true;
    };
    if (replaced !== undefined) {
      for (const [id, ev] of replaced) {
        // a redacted copy, so its id is in `redacted`
        if (ev.type === TASK_UPDATE || (ev.type === ROOM_MESSAGE && rawContent(ev)["msgtype"] === TASK_MSGTYPE)) skipped.push({ eventId: id, reason: "redacted" });
      }
    }
    /** accepted tasks, in order of first delivery of their root */
    const accepted: Working[] = [];
    for (const { ev, accepted: w } of this.#roots) {
      if (checkRedacted && gone(ev)) continue;
      if (w === undefined) continue; // every root is judged by the add() that met it
      if (typeof w === "string") {
        skipped.push({ eventId: ev.event_id, reason: w });
        continue;
      }
      accepted.push(w);
      const group = groups.get(ev.event_id);
      if (group !== undefined) group.working = w;
    }
    // No well-formed reference: parsing says why.
    for (const ev of this.#unreferenced) {
      if (checkRedacted && gone(ev)) continue;
      const parsed = parseTaskUpdateOf(rawContent(ev), undefined);
      skipped.push({ eventId: ev.event_id, reason: parsed.ok ? "references no known task" : parsed.reason });
    }
    let maxClock = 0;
    const clocks: number[] = []; // scratch, reused by every group
    const reading = new UpdateReading(); // likewise, for each update in turn
    for (let g = 0; g < groupList.length; g++) {
      const { root, working: w, events: evs } = groupList[g]!;
      // Keeps, in place, the updates that were not redacted and have a valid clock (the others are
      // malformed: parsing says why).
      let n = 0;
      for (let i = 0; i < evs.length; i++) {
        const ev = evs[i]!;
        if (checkRedacted && gone(ev)) continue;
        const clock = wireClock(rawContent(ev));
        if (clock < 0 || w === undefined) {
          const parsed = parseTaskUpdateOf(rawContent(ev), root);
          if (!parsed.ok) skipped.push({ eventId: ev.event_id, reason: parsed.reason });
          else {
            if (parsed.value.clock > maxClock) maxClock = parsed.value.clock;
            skipped.push({ eventId: ev.event_id, reason: "references no known task" });
          }
          continue;
        }
        evs[n] = ev;
        clocks[n++] = clock;
      }
      if (w === undefined) continue;
      sortGroup(evs, clocks, n);
      // Each update read just before it is applied: a malformed one is skipped where it sorts,
      // which changes nothing for the others (only applied updates change the task).
      for (let i = 0; i < n; i++) {
        const ev = evs[i]!;
        const problem = readTaskUpdate(rawContent(ev), root, reading);
        if (problem !== undefined) {
          skipped.push({ eventId: ev.event_id, reason: problem });
          continue;
        }
        if (reading.clock > maxClock) maxClock = reading.clock;
        const reason = applyUpdate(w, ev.sender, reading, input.levels, permissions);
        if (reason !== undefined) skipped.push({ eventId: ev.event_id, reason });
      }
    }
    const tasks = new Map<string, Task>();
    for (const w of accepted) {
      // The items are this fold's own (the root's parse result, updates' additions): set in place.
      if (w.done !== undefined) for (const item of w.task.checklist) item.done = w.done.get(item.id) ?? item.done;
      tasks.set(w.task.id, w.task);
    }
    return { tasks, skipped: sortSkipped(skipped), maxClock };
  }
}

/** Assigning anyone but yourself, or un-assigning someone else, takes the `assign` level. */
function touchesOthers(sender: string, before: readonly string[], after: readonly string[]): boolean {
  const b = new Set(before);
  const a = new Set(after);
  for (const id of a) if (!b.has(id) && id !== sender) return true;
  for (const id of b) if (!a.has(id) && id !== sender) return true;
  return false;
}

/** The working copy of an accepted root, or why it is not accepted. */
function acceptRoot(ev: CheckedRawEvent, content: JsonObject, input: Omit<TaskFoldInput, "events">, create: number, assign: number): Working | string {
  const parsed = parseTaskRoot(content);
  if (!parsed.ok) return parsed.reason;
  const root = parsed.value;
  if (input.config !== undefined && root.anchor !== input.config.anchor) return "references another task list's anchor";
  const level = userLevel(input.levels, ev.sender);
  if (level < create) return `sender's power level ${level} is below create (${create})`;
  if (level < assign && touchesOthers(ev.sender, [], root.fields.assignees)) return `sender's power level ${level} is below assign (${assign})`;
  const f = root.fields;
  // The fields one by one, in TASK_DEFAULTS order (the order `{ ...root.fields }` gave): one
  // allocation of a known shape instead of a spread (2,000 roots on a large board).
  const task: Task = {
    title: f.title,
    description: f.description,
    status: f.status,
    assignees: f.assignees,
    due: f.due,
    start: f.start,
    priority: f.priority,
    labels: f.labels,
    column: f.column,
    rank: f.rank,
    reminders: f.reminders,
    parent: f.parent,
    objective: f.objective,
    id: ev.event_id,
    creator: ev.sender,
    createdAt: ev.origin_server_ts,
    checklist: root.checklist, // fresh items, this fold's own
    deleted: false,
    clock: 0,
    updates: 0,
    lastUpdatedBy: ev.sender,
  };
  return { task, removed: undefined, done: undefined };
}

function applyUpdate(w: Working, sender: string, u: UpdateReading, levels: RoomPowerLevels, p: typeof DEFAULT_TASK_PERMISSIONS): string | undefined {
  const { task } = w;
  if (task.deleted) return "task was deleted before this update";
  const level = userLevel(levels, sender);
  if (u.delete && level < p.delete && sender !== task.creator) return `sender's power level ${level} is below delete (${p.delete})`;
  // Whether the sender is the creator or an assignee matters only below the edit level.
  if (level < p.edit && sender !== task.creator && !task.assignees.includes(sender)) return `sender's power level ${level} is below edit (${p.edit})`;
  if (u.assignees !== undefined && level < p.assign && touchesOthers(sender, task.assignees, u.assignees)) {
    return `sender's power level ${level} is below assign (${p.assign})`;
  }
  // Last writer wins per field: in fold order, each set field simply overwrites.
  // (read values are fresh objects, never shared with another task)
  const fields = task as unknown as Record<string, unknown>;
  for (let i = 0; i < u.setCount; i++) fields[u.setKeys[i]!] = u.setValues[i];
  if (u.removeCount > 0) {
    const removed = (w.removed ??= new Set());
    for (let i = 0; i < u.removeCount; i++) removed.add(u.removes[i]!);
    task.checklist = task.checklist.filter((i) => !removed.has(i.id));
  }
  for (let a = 0; a < u.addCount; a++) {
    // Additions merge: concurrent adds all survive; the first add of an id wins, removal is final.
    // (the item is this fold's own, read from this update only: no copy needed)
    const item = u.adds[a]!;
    if (!w.removed?.has(item.id) && !task.checklist.some((i) => i.id === item.id)) task.checklist.push(item);
  }
  if (u.doneCount > 0) {
    const done = (w.done ??= new Map());
    for (let i = 0; i < u.doneCount; i++) done.set(u.doneIds[i]!, u.doneValues[i]!);
  }
  if (u.delete) task.deleted = true;
  task.clock = Math.max(task.clock, u.clock);
  task.updates += 1;
  task.lastUpdatedBy = sender;
  return undefined;
}
