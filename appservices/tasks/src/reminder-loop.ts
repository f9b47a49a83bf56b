// Sends the reminders that are due: a notice in the task's thread mentioning its assignees, with
// the {task, reminder} record that makes it known as sent to the next start (reminders.ts).
import type { BotContext } from "../../kit/src/start-bot.ts";
import { REMINDER_KEY, remindersDue, sentKey } from "./reminders.ts";
import type { RoomTasks } from "./room-tasks.ts";
import { reminderText } from "./task-text.ts";

export interface ReminderDeps {
  ctx: BotContext;
  rooms: ReadonlyMap<string, RoomTasks>;
  now: () => number;
  /** Zone of all-day due dates. */
  zone: string;
}

/** One pass over every room; failures are per reminder (logged, retried on the next pass). */
export async function sendDueReminders(d: ReminderDeps): Promise<number> {
  let sent = 0;
  for (const room of d.rooms.values()) {
    const tasks = room.fold().tasks;
    for (const r of remindersDue(tasks.values(), room.sent, d.now(), d.zone)) {
      const task = tasks.get(r.taskId);
      if (!task) continue;
      const key = sentKey(r.taskId, r.reminderId);
      room.sent.add(key);
      try {
        await d.ctx.reply(room.roomId, { eventId: task.id, threadRoot: task.id }, reminderText(task), task.assignees,
          { [REMINDER_KEY]: { task: task.id, reminder: r.reminderId } });
        sent++;
        d.ctx.log("info", "reminder sent", { room_id: room.roomId, task: task.id, reminder: r.reminderId, at: new Date(r.at).toISOString() });
      } catch (err: unknown) {
        room.sent.delete(key);
        d.ctx.log("error", "reminder failed", { room_id: room.roomId, task: task.id, reminder: r.reminderId, error: String(err) });
      }
    }
  }
  return sent;
}
