// THE fold of a task list: the same function runs in the bot, the widget and the client, and gives
// the same state from the same set of events whatever order federation delivered them in
// (docs/tasks-protocol.md "Fold rules"). Pure: events in, state and skip reasons out.
import { ROOM_MESSAGE, TASK_MSGTYPE, TASK_UPDATE } from "./event-types.ts";
import { userLevel, type RoomPowerLevels } from "./power-levels.ts";
import { compareFoldOrder, prepareEvents, sortSkipped, type EventEnvelope, type SkippedEvent } from "./room-events.ts";
import type { ChecklistItem, TaskFieldValues } from "./task-fields.ts";
import { parseTaskRoot } from "./task-root.ts";
import { parseTaskUpdateOf, referencedEventId, type TaskUpdate } from "./task-update.ts";
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

interface PendingUpdate {
  clock: number;
  env: EventEnvelope;
  update: TaskUpdate;
}

/** Mutable working copy of a task while its updates are applied. */
interface Working {
  task: Task;
  /** created on the first removal / `done` operation (most tasks have none) */
  removed: Set<string> | undefined;
  done: Map<string, boolean> | undefined;
}

export function foldTasks(input: TaskFoldInput): TaskFoldResult {
  const permissions = input.config?.permissions ?? DEFAULT_TASK_PERMISSIONS;
  const { events, redacted, skipped } = prepareEvents(input.events, input.levels);
  const working = new Map<string, Working>();
  // Updates are grouped by the root they reference BEFORE being parsed; each group is then parsed,
  // sorted and applied at once, so parse results die young instead of all living until the end
  // (the garbage collector copying and promoting them was most of the fold's cost).
  const byRoot = new Map<string, EventEnvelope[]>();
  const unreferenced: EventEnvelope[] = [];
  for (const env of events.values()) {
    const isRoot = env.type === ROOM_MESSAGE && env.content["msgtype"] === TASK_MSGTYPE;
    if (!isRoot && env.type !== TASK_UPDATE) continue;
    if (redacted.has(env.eventId)) {
      skipped.push({ eventId: env.eventId, reason: "redacted" });
      continue;
    }
    if (isRoot) {
      const reason = acceptRoot(env, input, permissions.create, permissions.assign, working);
      if (reason !== undefined) skipped.push({ eventId: env.eventId, reason });
      continue;
    }
    const root = referencedEventId(env.content);
    if (root === undefined) {
      unreferenced.push(env);
      continue;
    }
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [env]);
    else list.push(env);
  }
  // No well-formed reference: parsing says why.
  for (const env of unreferenced) {
    const parsed = parseTaskUpdateOf(env.content, undefined);
    skipped.push({ eventId: env.eventId, reason: parsed.ok ? "references no known task" : parsed.reason });
  }
  let maxClock = 0;
  for (const [rootId, envs] of byRoot) {
    const w = working.get(rootId);
    const updates: PendingUpdate[] = [];
    for (const env of envs) {
      const parsed = parseTaskUpdateOf(env.content, rootId);
      if (!parsed.ok) {
        skipped.push({ eventId: env.eventId, reason: parsed.reason });
        continue;
      }
      if (parsed.value.clock > maxClock) maxClock = parsed.value.clock;
      if (w === undefined) skipped.push({ eventId: env.eventId, reason: "references no known task" });
      else updates.push({ clock: parsed.value.clock, env, update: parsed.value });
    }
    if (w === undefined) continue;
    updates.sort(compareFoldOrder);
    for (const u of updates) {
      const reason = applyUpdate(w, u, input.levels, permissions);
      if (reason !== undefined) skipped.push({ eventId: u.env.eventId, reason });
    }
  }
  const tasks = new Map<string, Task>();
  for (const [id, w] of working) {
    if (w.done !== undefined) w.task.checklist = w.task.checklist.map((i) => ({ ...i, done: w.done?.get(i.id) ?? i.done }));
    tasks.set(id, w.task);
  }
  return { tasks, skipped: sortSkipped(skipped), maxClock };
}

/** Assigning anyone but yourself, or un-assigning someone else, takes the `assign` level. */
function touchesOthers(sender: string, before: readonly string[], after: readonly string[]): boolean {
  const b = new Set(before);
  const a = new Set(after);
  for (const id of a) if (!b.has(id) && id !== sender) return true;
  for (const id of b) if (!a.has(id) && id !== sender) return true;
  return false;
}

function acceptRoot(env: EventEnvelope, input: TaskFoldInput, create: number, assign: number, working: Map<string, Working>): string | undefined {
  const parsed = parseTaskRoot(env.content);
  if (!parsed.ok) return parsed.reason;
  const root = parsed.value;
  if (input.config !== undefined && root.anchor !== input.config.anchor) return "references another task list's anchor";
  const level = userLevel(input.levels, env.sender);
  if (level < create) return `sender's power level ${level} is below create (${create})`;
  if (level < assign && touchesOthers(env.sender, [], root.fields.assignees)) return `sender's power level ${level} is below assign (${assign})`;
  const task: Task = {
    ...root.fields,
    id: env.eventId,
    creator: env.sender,
    createdAt: env.originServerTs,
    checklist: root.checklist.map((i) => ({ ...i })),
    deleted: false,
    clock: 0,
    updates: 0,
    lastUpdatedBy: env.sender,
  };
  working.set(env.eventId, { task, removed: undefined, done: undefined });
  return undefined;
}

function permissionProblem(w: Working, u: PendingUpdate, level: number, p: typeof DEFAULT_TASK_PERMISSIONS): string | undefined {
  const { task } = w;
  const sender = u.env.sender;
  const own = sender === task.creator || task.assignees.includes(sender);
  if (u.update.delete && level < p.delete && sender !== task.creator) return `sender's power level ${level} is below delete (${p.delete})`;
  if (!own && level < p.edit) return `sender's power level ${level} is below edit (${p.edit})`;
  const assignees = u.update.set.assignees;
  if (assignees !== undefined && level < p.assign && touchesOthers(sender, task.assignees, assignees)) {
    return `sender's power level ${level} is below assign (${p.assign})`;
  }
  return undefined;
}

function applyUpdate(w: Working, u: PendingUpdate, levels: RoomPowerLevels, p: typeof DEFAULT_TASK_PERMISSIONS): string | undefined {
  const { task } = w;
  if (task.deleted) return "task was deleted before this update";
  const problem = permissionProblem(w, u, userLevel(levels, u.env.sender), p);
  if (problem !== undefined) return problem;
  // Last writer wins per field: in fold order, each set field simply overwrites.
  // (parsed values are fresh objects, never shared with another task)
  Object.assign(task, u.update.set);
  const ops = u.update.checklist;
  if (ops.remove.length > 0) {
    const removed = (w.removed ??= new Set());
    for (const id of ops.remove) removed.add(id);
    task.checklist = task.checklist.filter((i) => !removed.has(i.id));
  }
  for (const item of ops.add) {
    // Additions merge: concurrent adds all survive; the first add of an id wins, removal is final.
    if (!w.removed?.has(item.id) && !task.checklist.some((i) => i.id === item.id)) task.checklist.push({ ...item });
  }
  for (const id in ops.done) (w.done ??= new Map()).set(id, ops.done[id] === true);
  if (u.update.delete) task.deleted = true;
  task.clock = Math.max(task.clock, u.clock);
  task.updates += 1;
  task.lastUpdatedBy = u.env.sender;
  return undefined;
}
