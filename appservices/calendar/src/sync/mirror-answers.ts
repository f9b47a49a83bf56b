// Answers given in CalDAV (an agent accepting in their groupware changes ATTENDEE;PARTSTAT) are
// mirrored to the room as RSVPs the bot sends on the member's behalf (`on_behalf_of`, accepted by
// the fold from the calendar's cancel level). Only series answers of Matrix users, and only when
// CalDAV's PARTSTAT differs both from what the bot last wrote there (so our own writes do not come
// back as answers) and from the member's current answer in the room.
import { PARTSTAT, type Rsvp, type RsvpStatus } from "../protocol.ts";

import type { RoomCalendarEvent } from "./room-side.ts";
import type { SyncContext } from "./sync-context.ts";

const FROM_PARTSTAT: Record<string, RsvpStatus> = { ACCEPTED: "accepted", DECLINED: "declined", TENTATIVE: "tentative" };

/** Series PARTSTAT by user last written to CalDAV, read back from the record's rsvpKey(). */
function lastWritten(key: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (key === undefined || key === "") return out;
  try {
    const list = JSON.parse(key) as unknown;
    if (!Array.isArray(list)) return out;
    for (const r of list) {
      if (Array.isArray(r) && typeof r[0] === "string" && typeof r[1] === "string" && r[2] === null) out.set(r[0], PARTSTAT[r[1] as RsvpStatus] ?? "");
    }
  } catch {
    // an old or foreign key: nothing known
  }
  return out;
}

/** The fold's order of RSVPs (member, then occurrence), so rsvpKey() matches the next fold. */
function sorted(rsvps: Rsvp[]): Rsvp[] {
  const k = (r: Rsvp): string => `${r.userId}\u0000${r.recurrenceId === undefined ? "" : "date" in r.recurrenceId ? r.recurrenceId.date : r.recurrenceId.value}`;
  return rsvps.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

/**
 * Sends the RSVPs CalDAV's answers call for; returns the event's answers afterwards (undefined:
 * nothing sent).
 */
export async function mirrorAnswers(ctx: SyncContext, ev: RoomCalendarEvent, partstats: ReadonlyMap<string, string>, writtenKey: string | undefined): Promise<Rsvp[] | undefined> {
  if (ctx.direction === "to_caldav" || ev.cancelled) return undefined;
  const written = lastWritten(writtenKey);
  const attendees = new Set(ev.fields.attendees.map((a) => a.id));
  let answers: Rsvp[] | undefined;
  for (const [userId, partstat] of partstats) {
    const status = FROM_PARTSTAT[partstat];
    if (!userId.startsWith("@") || !attendees.has(userId) || status === undefined) continue;
    if ((written.get(userId) ?? "NEEDS-ACTION") === partstat) continue;
    const current = ev.rsvps.find((r) => r.userId === userId && r.recurrenceId === undefined)?.status;
    if (current === status) continue;
    await ctx.room.rsvp(ev.rootId, userId, status);
    ctx.stats.roomWrites += 1;
    ctx.log(`binding ${ctx.bindingId}: ${ev.uid}: ${userId} answered ${partstat} in CalDAV, mirrored to the room`);
    answers = (answers ?? [...ev.rsvps]).filter((r) => !(r.userId === userId && r.recurrenceId === undefined));
    answers.push({ userId, status });
  }
  return answers === undefined ? undefined : sorted(answers);
}


