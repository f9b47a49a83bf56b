// `fr.entente.tasks` state (state_key ""): configuration and pointers only, never task content,
// because state events are not end-to-end encrypted (DESIGN.md §6).
import { SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseArray, parseEventId, parseInteger, parseString, parseUserId, parseVersion, type JsonObject, type Parsed } from "./parse.ts";
import { parseTaskStatus, type TaskStatus } from "./task-fields.ts";

export interface BoardColumn {
  id: string;
  name: string;
  /** status a task takes when moved into this column, if any */
  status?: TaskStatus;
}

/** Minimum power level for each action on the task list (compared with m.room.power_levels). */
export interface TaskPermissions {
  create: number;
  /** change fields of a task the sender neither created nor is assigned to */
  edit: number;
  /** change who is assigned (anyone may take or leave a task themselves at `edit`) */
  assign: number;
  delete: number;
  /** change this state event; clients set m.room.power_levels.events["fr.entente.tasks"] to match */
  configure: number;
}

export interface TasksState {
  version: number;
  anchor: string;
  bot?: string;
  columns: BoardColumn[];
  permissions: TaskPermissions;
}

export const DEFAULT_TASK_PERMISSIONS: TaskPermissions = { create: 0, edit: 0, assign: 0, delete: 50, configure: 50 };

export const DEFAULT_COLUMNS: BoardColumn[] = [
  { id: "todo", name: "À faire", status: "todo" },
  { id: "doing", name: "En cours", status: "doing" },
  { id: "blocked", name: "Bloqué", status: "blocked" },
  { id: "done", name: "Terminé", status: "done" },
];

const LEVEL_MAX = 2 ** 53 - 1;

function parseColumn(value: unknown, what: string): Parsed<BoardColumn> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const id = parseString(value["id"], `${what}.id`, 64);
  if (!id.ok) return id;
  const name = parseString(value["name"], `${what}.name`, 100);
  if (!name.ok) return name;
  if (value["status"] === undefined) return ok({ id: id.value, name: name.value });
  const status = parseTaskStatus(value["status"], `${what}.status`);
  return status.ok ? ok({ id: id.value, name: name.value, status: status.value }) : status;
}

export function parsePermissions<K extends string>(value: unknown, defaults: Record<K, number>): Parsed<Record<K, number>> {
  if (value === undefined) return ok({ ...defaults });
  if (!isObject(value)) return fail("power_levels must be an object");
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as K[]) {
    if (value[key] === undefined) continue;
    const l = parseInteger(value[key], `power_levels.${key}`, -LEVEL_MAX, LEVEL_MAX);
    if (!l.ok) return l;
    out[key] = l.value;
  }
  return ok(out);
}

export function parseTasksState(content: unknown): Parsed<TasksState> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseEventId(content["anchor"], "anchor");
  if (!anchor.ok) return anchor;
  const columns = content["columns"] === undefined ? ok(DEFAULT_COLUMNS) : parseArray(content["columns"], "columns", 50, parseColumn);
  if (!columns.ok) return columns;
  if (new Set(columns.value.map((c) => c.id)).size !== columns.value.length) return fail("columns have duplicate ids");
  const permissions = parsePermissions(content["power_levels"], DEFAULT_TASK_PERMISSIONS);
  if (!permissions.ok) return permissions;
  const state: TasksState = { version: version.value, anchor: anchor.value, columns: columns.value, permissions: permissions.value };
  if (content["bot"] !== undefined) {
    const bot = parseUserId(content["bot"], "bot");
    if (!bot.ok) return bot;
    state.bot = bot.value;
  }
  return ok(state);
}

export function buildTasksState(input: { anchor: string; bot?: string; columns?: BoardColumn[]; permissions?: Partial<TaskPermissions> }): JsonObject {
  const content: JsonObject = {
    version: SCHEMA_VERSION,
    anchor: input.anchor,
    columns: (input.columns ?? DEFAULT_COLUMNS).map((c) => ({ ...c })),
    power_levels: { ...DEFAULT_TASK_PERMISSIONS, ...input.permissions },
  };
  if (input.bot !== undefined) content["bot"] = input.bot;
  return content;
}
