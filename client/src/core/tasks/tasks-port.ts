// What the "Mes tâches" view and the objectives dashboard need from the session: the agent's time
// zone, folded task lists and objectives (plain protocol data), and the two writes they make.
// ui/ sees this interface only, never matrix-js-sdk (implementation: tasks-sdk.ts).
import type { TaskStatus } from "./protocol.ts";
import type { RoomTaskList } from "./my-tasks.ts";
import type { RoomObjectives } from "./objectives-dashboard.ts";

export interface SpaceRef {
  spaceId: string;
  name: string;
}

export interface TasksPort {
  readonly userId: string;
  /** The agent's m.tz profile field (Europe/Paris when unset or unknown). */
  timeZone(): Promise<string>;
  /** Every joined room with a task list (fr.entente.tasks state), each folded with the protocol's fold. */
  taskLists(): Promise<RoomTaskList[]>;
  /** Sends a fr.entente.task.update setting the status (Lamport clock one above the room's largest). */
  setTaskStatus(roomId: string, taskId: string, status: TaskStatus): Promise<void>;
  /** The joined spaces (working groups). */
  spaces(): SpaceRef[];
  /** The space's rooms (and the space itself) with their folded objectives and tasks. */
  spaceObjectives(spaceId: string): Promise<RoomObjectives[]>;
  /** Sends a fr.entente.objective.checkin for one key result. */
  addCheckin(roomId: string, objectiveId: string, keyResult: string, value: number, note?: string): Promise<void>;
  /** Called when a task or objective event, or a list's state, arrives or decrypts in a joined room. */
  onChange(listener: () => void): () => void;
}
