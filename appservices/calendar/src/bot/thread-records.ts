// The bot's own records in an event's thread, read back at start so nothing is sent twice: a
// reminder notice carries `fr.entente.event.reminder` {event, occurrence, minutes}, an invitation
// notice `fr.entente.event.invitation` {event, users}. The room is the memory, not the bot.
import { parseEventReminderRecord } from "../reminders/event-reminders.ts";

export const EVENT_INVITATION_KEY = "fr.entente.event.invitation";

export interface ThreadMemory {
  readonly sentReminders: Set<string>;
  readonly invited: Set<string>;
}

export const invitedKey = (rootId: string, userId: string): string => `${rootId} ${userId}`;

export function noteThreadRecord(memory: ThreadMemory, content: Record<string, unknown>): void {
  const reminder = parseEventReminderRecord(content);
  if (reminder !== undefined) memory.sentReminders.add(reminder);
  const inv = content[EVENT_INVITATION_KEY];
  if (typeof inv !== "object" || inv === null) return;
  const { event, users } = inv as Record<string, unknown>;
  if (typeof event !== "string" || !Array.isArray(users)) return;
  for (const u of users) if (typeof u === "string") memory.invited.add(invitedKey(event, u));
}
