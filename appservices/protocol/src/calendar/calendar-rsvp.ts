// `fr.entente.event.rsvp`: a member's answer to an event, for the whole series or one occurrence
// (`recurrence_id`, the occurrence's original start). The latest answer per (member, occurrence)
// wins, ordered by (origin_server_ts, event_id): an answer is the sender's own, so no clock is
// needed to order it against anyone else's. Mirrored to CalDAV as ATTENDEE;PARTSTAT.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.2.12
import { parseTaskDate } from "../dates.ts";
import { fail, isObject, ok, parseReference, parseUserId, parseVersion, type JsonObject, type Parsed } from "../parse.ts";
import type { CalendarDate } from "./calendar-dates.ts";
import { CALENDAR_SCHEMA_VERSION } from "./calendar-event-types.ts";

export type RsvpStatus = "accepted" | "declined" | "tentative";
const STATUSES: readonly RsvpStatus[] = ["accepted", "declined", "tentative"];

export interface EventRsvp {
  version: number;
  root: string;
  status: RsvpStatus;
  recurrenceId?: CalendarDate;
  /**
   * The member this answer is for, when the calendar bot mirrors an answer given in CalDAV
   * (ATTENDEE;PARTSTAT changed in the groupware). The fold accepts it only from a sender with the
   * calendar's cancel level (the bot has it); otherwise an answer is the sender's own.
   */
  onBehalfOf?: string;
}

export function parseEventRsvp(content: unknown): Parsed<EventRsvp> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], CALENDAR_SCHEMA_VERSION);
  if (!version.ok) return version;
  const root = parseReference(content);
  if (!root.ok) return root;
  if (!STATUSES.includes(content["status"] as RsvpStatus)) return fail(`status must be one of ${STATUSES.join(", ")}`);
  const rsvp: EventRsvp = { version: version.value, root: root.value, status: content["status"] as RsvpStatus };
  if (content["recurrence_id"] !== undefined) {
    const rid = parseTaskDate(content["recurrence_id"], "recurrence_id");
    if (!rid.ok) return rid;
    rsvp.recurrenceId = rid.value;
  }
  if (content["on_behalf_of"] !== undefined) {
    const who = parseUserId(content["on_behalf_of"], "on_behalf_of");
    if (!who.ok) return who;
    rsvp.onBehalfOf = who.value;
  }
  return ok(rsvp);
}

export function buildEventRsvp(input: { root: string; status: RsvpStatus; recurrenceId?: CalendarDate; onBehalfOf?: string }): JsonObject {
  const content: JsonObject = {
    version: CALENDAR_SCHEMA_VERSION,
    "m.relates_to": { rel_type: "m.reference", event_id: input.root },
    status: input.status,
  };
  if (input.recurrenceId !== undefined) content["recurrence_id"] = { ...input.recurrenceId };
  if (input.onBehalfOf !== undefined) content["on_behalf_of"] = input.onBehalfOf;
  return content;
}

/** RFC 5545 PARTSTAT of an answer. */
export const PARTSTAT: Record<RsvpStatus, string> = { accepted: "ACCEPTED", declined: "DECLINED", tentative: "TENTATIVE" };
