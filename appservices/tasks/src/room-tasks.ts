// One room's task list as the bot knows it: the decrypted events that matter to the fold (roots,
// updates, redactions), the list's configuration and power levels, and which reminders were sent.
// Refolded on demand with the protocol's fold — the room is the source of truth, this is a cache.
import type { RawRoomEvent } from "../../protocol/src/raw-event.ts";
import { nextClock } from "../../protocol/src/room-events.ts";
import { foldTasks, type TaskFoldResult } from "../../protocol/src/task-fold.ts";
import { parseRoomPowerLevels, userLevel, type RoomCreateEvent, type RoomPowerLevels } from "../../protocol/src/power-levels.ts";
import { parseTasksState, type TasksState } from "../../protocol/src/tasks-state.ts";
import { ROOM_MESSAGE, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE } from "../../protocol/src/event-types.ts";
import { parseReminderRecord, sentKey } from "./reminders.ts";

/** The event shape the fold reads (as /sync or /relations return it, content decrypted). */
export type FoldEvent = RawRoomEvent;

export class RoomTasks {
  readonly roomId: string;
  config: TasksState | undefined;
  /** Why the last tasks state was refused, if it was. */
  configProblem: string | undefined;
  levels: RoomPowerLevels = parseRoomPowerLevels({});
  /** sentKey(task, reminder) of every reminder found in the room or sent by this process. */
  readonly sent = new Set<string>();
  private readonly events = new Map<string, FoldEvent>();
  private folded: TaskFoldResult | undefined;
  /** Skip reasons already logged, so each bad event is logged once. */
  private readonly loggedSkips = new Set<string>();

  constructor(roomId: string) {
    this.roomId = roomId;
  }

  setConfig(content: unknown): void {
    const parsed = parseTasksState(content);
    this.config = parsed.ok ? parsed.value : undefined;
    this.configProblem = parsed.ok ? undefined : parsed.reason;
    this.folded = undefined;
  }

  /**
   * Level needed to send the fr.entente.tasks state: events[type], else state_default, else 50
   * (https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels).
   */
  tasksStateLevel = 50;

  /** The room's m.room.create (sender, content): v12 creators outrank every level, in the protocol's userLevel. */
  private create: RoomCreateEvent | undefined;
  private powerLevelsContent: unknown = {};

  /** The user's power level (Infinity for the creators of a v12 room). */
  levelOf(userId: string): number {
    return userLevel(this.levels, userId);
  }

  setCreate(sender: string, content: Record<string, unknown>): void {
    this.create = { sender, content };
    this.levels = parseRoomPowerLevels(this.powerLevelsContent, this.create);
    this.folded = undefined;
  }

  setPowerLevels(content: unknown): void {
    this.powerLevelsContent = content;
    this.levels = parseRoomPowerLevels(content, this.create);
    const c = typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {};
    const events = typeof c["events"] === "object" && c["events"] !== null ? (c["events"] as Record<string, unknown>) : {};
    const pick = [events[TASKS_STATE], c["state_default"]].find((v) => typeof v === "number" && Number.isSafeInteger(v));
    this.tasksStateLevel = typeof pick === "number" ? pick : 50;
    this.folded = undefined;
  }

  /** Keeps an event if the fold or the reminder bookkeeping needs it; true if kept. */
  add(e: FoldEvent, botUserId: string): boolean {
    const record = e.type === ROOM_MESSAGE ? parseReminderRecord(e.content) : undefined;
    // Only the bot's own records count: anyone else could otherwise silence a reminder.
    if (record && e.sender === botUserId) {
      this.sent.add(sentKey(record.task, record.reminder));
      return true;
    }
    const relevant = e.type === TASK_UPDATE || e.type === ROOM_REDACTION || (e.type === ROOM_MESSAGE && e.content["msgtype"] === TASK_MSGTYPE);
    if (!relevant || this.events.has(e.event_id)) return false;
    this.events.set(e.event_id, e);
    this.folded = undefined;
    return true;
  }

  fold(): TaskFoldResult {
    this.folded ??= foldTasks({ events: this.events.values(), levels: this.levels, ...(this.config ? { config: this.config } : {}) });
    return this.folded;
  }

  nextClock(): number {
    return nextClock(this.fold().maxClock);
  }

  /** Skipped events not reported before (malformed, unauthorised, unknown version...). */
  newSkips(): { eventId: string; reason: string }[] {
    const out = this.fold().skipped.filter((s) => s.reason !== "redacted" && !this.loggedSkips.has(`${s.eventId} ${s.reason}`));
    for (const s of out) this.loggedSkips.add(`${s.eventId} ${s.reason}`);
    return out;
  }
}
