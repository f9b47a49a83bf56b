// One room's task list as the bot knows it: the decrypted events that matter to the fold (roots,
// updates, redactions), the list's configuration and power levels, and which reminders were sent.
// Refolded on demand with the protocol's fold — the room is the source of truth, this is a cache.
import { nextClock } from "../../protocol/src/room-events.ts";
import { foldTasks, type TaskFoldResult } from "../../protocol/src/task-fold.ts";
import { parseRoomPowerLevels, userLevel, type RoomPowerLevels } from "../../protocol/src/power-levels.ts";
import { parseTasksState, type TasksState } from "../../protocol/src/tasks-state.ts";
import { ROOM_MESSAGE, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE } from "../../protocol/src/event-types.ts";
import { parseReminderRecord, sentKey } from "./reminders.ts";

/** The event shape the fold reads (as /sync or /relations return it, content decrypted). */
export interface FoldEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

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

  /**
   * Room creators of a v12+ room: they have unlimited power and are not listed in
   * m.room.power_levels (https://spec.matrix.org/v1.16/rooms/v12/, MSC4289).
   */
  readonly creators = new Set<string>();

  /** The user's power level, counting v12 creators as above everyone. */
  levelOf(userId: string): number {
    return this.creators.has(userId) ? Number.MAX_SAFE_INTEGER : userLevel(this.levels, userId);
  }

  /** From the m.room.create event: its sender and additional_creators, for room versions 12 and later. */
  setCreate(sender: string, content: Record<string, unknown>): void {
    this.creators.clear();
    const version = Number(content["room_version"] ?? "1");
    if (!Number.isInteger(version) || version < 12) return;
    this.creators.add(sender);
    const more = content["additional_creators"];
    if (Array.isArray(more)) for (const u of more) if (typeof u === "string") this.creators.add(u);
  }

  setPowerLevels(content: unknown): void {
    this.levels = parseRoomPowerLevels(content);
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
