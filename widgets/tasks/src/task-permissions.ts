// What the agent may do on the board, judged as the fold judges (docs/tasks-protocol.md, fold
// step 5) against the current power levels and the list's `power_levels`: the board hides or
// disables a control and says why instead of sending an update every reader would skip. Pure.
import { userLevel, type RoomPowerLevels } from "../../../appservices/protocol/src/power-levels.ts";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import { DEFAULT_TASK_PERMISSIONS, type TaskPermissions } from "../../../appservices/protocol/src/tasks-state.ts";

/** true, or the level the agent lacks. */
export type Allowed = true | { needs: number };

export interface BoardRights {
  create: Allowed;
  /** assign someone other than oneself (at creation or later) */
  assignOthers: Allowed;
}

export interface TaskRights {
  edit: Allowed;
  assignOthers: Allowed;
  delete: Allowed;
}

const atLeast = (level: number, needs: number): Allowed => (level >= needs ? true : { needs });

export function boardRights(levels: RoomPowerLevels, userId: string, p: TaskPermissions = DEFAULT_TASK_PERMISSIONS): BoardRights {
  const level = userLevel(levels, userId);
  return { create: atLeast(level, p.create), assignOthers: atLeast(level, p.assign) };
}

export function taskRights(task: Task, levels: RoomPowerLevels, userId: string, p: TaskPermissions = DEFAULT_TASK_PERMISSIONS): TaskRights {
  const level = userLevel(levels, userId);
  const mine = task.creator === userId || task.assignees.includes(userId);
  const edit: Allowed = mine ? true : atLeast(level, p.edit);
  return {
    edit,
    assignOthers: edit === true ? atLeast(level, p.assign) : edit,
    delete: task.creator === userId ? true : atLeast(level, p.delete),
  };
}
