// A due date as the agent reads it: "25/03/2026", or "25/03/2026 18:00" with the zone named when
// it is not the agent's own.
import { formatTaskDateFr, type TaskDate } from "../../core/tasks/protocol.ts";

export const dueText = (due: TaskDate, agentZone: string): string =>
  "date" in due || due.tzid === agentZone ? formatTaskDateFr(due) : `${formatTaskDateFr(due)} (${due.tzid})`;
