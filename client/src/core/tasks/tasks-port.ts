// What the "Mes tâches" view and the objectives dashboard need from the session: the agent's time
// zone, folded task lists and objectives (plain protocol data), the space's rooms and members to
// choose from, and the writes they make (each an event of docs/tasks-protocol.md).
// ui/ sees this interface only, never matrix-js-sdk (implementation: tasks-sdk.ts).
import type { KeyResult, ObjectiveRootInput, TaskStatus } from "./protocol.ts";
import type { RoomTaskList } from "./my-tasks.ts";
import type { RoomObjectives } from "./objectives-dashboard.ts";
import type { ObjectiveChange } from "./objective-draft.ts";
import type { ObjectivesAccess } from "./objectives-setup.ts";
import type { TaskChange } from "./task-edit.ts";

export interface SpaceRef {
  spaceId: string;
  name: string;
}

/** A room of the working group where an objective may go, and whether this agent can put it there. */
export interface ObjectiveRoomChoice {
  roomId: string;
  name: string;
  access: ObjectivesAccess;
}

export interface MemberRef {
  userId: string;
  name: string;
}

/** A new objective: the root's fields, key results with their ids. */
export type NewObjective = Omit<ObjectiveRootInput, "anchor" | "keyResults"> & { keyResults: KeyResult[] };

export interface TasksPort {
  readonly userId: string;
  /** The agent's m.tz profile field (Europe/Paris when unset or unknown). */
  timeZone(): Promise<string>;
  /** Every joined room with a task list (fr.entente.tasks state), each folded with the protocol's fold. */
  taskLists(): Promise<RoomTaskList[]>;
  /** Sends a fr.entente.task.update setting the status (Lamport clock one above the room's largest). */
  setTaskStatus(roomId: string, taskId: string, status: TaskStatus): Promise<void>;
  /**
   * Sends one fr.entente.task.update with the form's change (due date, priority, checklist ticks);
   * throws ObjectivesAccessError (action "edit"), without sending, when the fold would skip it.
   */
  editTask(roomId: string, taskId: string, change: TaskChange): Promise<void>;
  /** The joined spaces (working groups). */
  spaces(): SpaceRef[];
  /** The space's rooms (and the space itself) with their folded objectives and tasks. */
  spaceObjectives(spaceId: string): Promise<RoomObjectives[]>;
  /** Sends a fr.entente.objective.checkin for one key result. */
  addCheckin(roomId: string, objectiveId: string, keyResult: string, value: number, note?: string): Promise<void>;
  /** The space's joined rooms an objective can be created in, with this agent's access to each. */
  objectiveRooms(spaceId: string): ObjectiveRoomChoice[];
  /** Joined members of the space and its rooms (owners to pick from), sorted by name. */
  spaceMembers(spaceId: string): Promise<MemberRef[]>;
  /**
   * Sends an objective root (setting the room's objectives list up first when it has none);
   * throws ObjectivesAccessError, without sending anything, when the agent's level is too low.
   */
  createObjective(roomId: string, objective: NewObjective): Promise<string>;
  /** Sends one fr.entente.objective.update (throws ObjectivesAccessError when the fold would skip it). */
  updateObjective(roomId: string, objectiveId: string, change: ObjectiveChange): Promise<void>;
  /** Sends a fr.entente.objective.update deleting the objective (soft delete; linked tasks stay, unlinked in effect). */
  deleteObjective(roomId: string, objectiveId: string): Promise<void>;
  /** Sends a fr.entente.task.update setting the task's objective (null unlinks). */
  linkTask(roomId: string, taskId: string, objectiveId: string | null): Promise<void>;
  /** Called when a task or objective event, or a list's state, arrives or decrypts in a joined room. */
  onChange(listener: () => void): () => void;
}
