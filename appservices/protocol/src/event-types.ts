// Wire names of Entente's tasks and objectives events (docs/tasks-protocol.md). Namespaced under our
// reverse domain as the spec asks of custom types:
// https://spec.matrix.org/v1.16/client-server-api/#types-of-room-events

/** State, state_key "": configuration and the anchor pointer of a room's task list. */
export const TASKS_STATE = "fr.entente.tasks";
/** Timeline: the anchor every task root references (one per task list). */
export const TASKLIST_ANCHOR = "fr.entente.tasklist";
/** `msgtype` of a task root (an `m.room.message`, so any client shows its `body`). */
export const TASK_MSGTYPE = "fr.entente.task";
/** Key of the task fields inside the root's content. */
export const TASK_CONTENT_KEY = "fr.entente.task";
/** Timeline: a change to a task, `m.reference` to its root. */
export const TASK_UPDATE = "fr.entente.task.update";

/** State, state_key "": configuration and anchor pointer of a room's objectives. */
export const OBJECTIVES_STATE = "fr.entente.objectives";
/** Timeline: the anchor every objective root references. */
export const OBJECTIVELIST_ANCHOR = "fr.entente.objectivelist";
export const OBJECTIVE_MSGTYPE = "fr.entente.objective";
export const OBJECTIVE_CONTENT_KEY = "fr.entente.objective";
export const OBJECTIVE_UPDATE = "fr.entente.objective.update";
/** Timeline, append-only: a measurement of one key result. */
export const OBJECTIVE_CHECKIN = "fr.entente.objective.checkin";

/** Highest schema version this code reads and writes. */
export const SCHEMA_VERSION = 1;

export const ROOM_MESSAGE = "m.room.message";
export const ROOM_REDACTION = "m.room.redaction";
export const ROOM_POWER_LEVELS = "m.room.power_levels";
