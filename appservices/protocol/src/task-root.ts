// A task root: an `m.room.message` with msgtype `fr.entente.task`, so Element and any other client
// show its `body`, carrying the task's initial fields under `fr.entente.task` and an m.reference to
// the task list's anchor, so `GET /relations/{anchor}/m.reference` lists every task.
// https://spec.matrix.org/v1.16/client-server-api/#reference-relations
import { formatTaskDateFr } from "./dates.ts";
import { SCHEMA_VERSION, TASK_CONTENT_KEY, TASK_MSGTYPE } from "./event-types.ts";
import { fail, isObject, ok, parseReference, parseVersion, type JsonObject, type Parsed } from "./parse.ts";
import { parseChecklist, parseTaskFieldSet, taskFieldsToWire, type ChecklistItem, type PartialTaskFields, type TaskFieldValues } from "./task-fields.ts";

export interface TaskRoot {
  version: number;
  anchor: string;
  fields: TaskFieldValues;
  checklist: ChecklistItem[];
}

export const TASK_DEFAULTS: TaskFieldValues = {
  title: "",
  description: null,
  status: "todo",
  assignees: [],
  due: null,
  start: null,
  priority: 0,
  labels: [],
  column: null,
  rank: null,
  reminders: [],
  parent: null,
  objective: null,
};

export function parseTaskRoot(content: unknown): Parsed<TaskRoot> {
  if (!isObject(content)) return fail("content must be an object");
  if (content["msgtype"] !== TASK_MSGTYPE) return fail(`msgtype is not ${TASK_MSGTYPE}`);
  const task = content[TASK_CONTENT_KEY];
  if (!isObject(task)) return fail(`no ${TASK_CONTENT_KEY} object`);
  const version = parseVersion(task["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseReference(content);
  if (!anchor.ok) return anchor;
  if (!("title" in task)) return fail("task has no title");
  const fields = parseTaskFieldSet(task, TASK_CONTENT_KEY);
  if (!fields.ok) return fields;
  const checklist = task["checklist"] === undefined ? ok([]) : parseChecklist(task["checklist"], `${TASK_CONTENT_KEY}.checklist`);
  if (!checklist.ok) return checklist;
  return ok({ version: version.value, anchor: anchor.value, fields: withDefaults(fields.value), checklist: checklist.value });
}

/**
 * `{ ...TASK_DEFAULTS, ...f }` written out: the same keys in the same order, the same values (a
 * parsed value is never undefined), in one allocation of a known shape (2,000 roots on a board).
 */
function withDefaults(f: PartialTaskFields): TaskFieldValues {
  const d = TASK_DEFAULTS;
  return {
    title: f.title !== undefined ? f.title : d.title,
    description: f.description !== undefined ? f.description : d.description,
    status: f.status !== undefined ? f.status : d.status,
    assignees: f.assignees !== undefined ? f.assignees : d.assignees,
    due: f.due !== undefined ? f.due : d.due,
    start: f.start !== undefined ? f.start : d.start,
    priority: f.priority !== undefined ? f.priority : d.priority,
    labels: f.labels !== undefined ? f.labels : d.labels,
    column: f.column !== undefined ? f.column : d.column,
    rank: f.rank !== undefined ? f.rank : d.rank,
    reminders: f.reminders !== undefined ? f.reminders : d.reminders,
    parent: f.parent !== undefined ? f.parent : d.parent,
    objective: f.objective !== undefined ? f.objective : d.objective,
  };
}

/** The readable fallback, in French: "📋 Tâche : Préparer le conseil (échéance 14/03/2025 18:00)". */
export function taskBody(fields: Pick<TaskFieldValues, "title"> & Partial<TaskFieldValues>): string {
  let body = `📋 Tâche : ${fields.title}`;
  if (fields.due) body += ` (échéance ${formatTaskDateFr(fields.due)})`;
  if (fields.assignees && fields.assignees.length > 0) body += ` — pour ${fields.assignees.join(", ")}`;
  return body;
}

export type TaskRootInput = { anchor: string; title: string; checklist?: ChecklistItem[] } & Omit<PartialTaskFields, "title">;

export function buildTaskRoot(input: TaskRootInput): JsonObject {
  const { anchor, checklist, ...fields } = input;
  const task: JsonObject = { version: SCHEMA_VERSION, ...taskFieldsToWire(fields) };
  if (checklist !== undefined && checklist.length > 0) task["checklist"] = checklist.map((i) => ({ ...i }));
  return {
    msgtype: TASK_MSGTYPE,
    body: taskBody(fields),
    [TASK_CONTENT_KEY]: task,
    "m.relates_to": { rel_type: "m.reference", event_id: anchor },
  };
}
