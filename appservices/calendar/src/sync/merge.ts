// Pure comparison and merge of event fields for the sync engine. Fields are compared through their
// wire form with sorted keys, so two equal events hash equal whatever built them.
import { createHash } from "node:crypto";
import { FIELD_NAMES, eventFieldsToWire, type CalendarEventFields, type FieldName, type JsonObject, type PartialCalendarEventFields, type Rsvp } from "../protocol.ts";

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The wire form of every field, with empty texts as null (iCalendar cannot tell them apart). */
export function fieldsWire(fields: CalendarEventFields): JsonObject {
  const wire = eventFieldsToWire(fields);
  for (const k of ["description", "location"] as const) if (wire[k] === "") wire[k] = null;
  return wire;
}

export const fieldsHash = (fields: CalendarEventFields): string => hashOf(fieldsWire(fields));
export const hashOf = (wire: unknown): string => createHash("sha256").update(canonicalJson(wire)).digest("hex").slice(0, 32);

/** What the CalDAV side gets from RSVPs, as a comparable string ("" when none). */
export function rsvpKey(rsvps: readonly Rsvp[]): string {
  return canonicalJson(rsvps.map((r) => [r.userId, r.status, r.recurrenceId ?? null]));
}

/** Fields whose wire forms differ, with the values of `to`. */
export function changedFields(from: JsonObject, to: CalendarEventFields): PartialCalendarEventFields {
  const toWire = fieldsWire(to);
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) if (canonicalJson(from[name]) !== canonicalJson(toWire[name])) out[name] = to[name];
  return out as PartialCalendarEventFields;
}

export interface MergeResult {
  fields: CalendarEventFields;
  /** fields both sides changed differently; the room's value was kept */
  conflicts: FieldName[];
}

/**
 * Three-way merge per field against the last version both sides agreed on: a field changed on one
 * side only takes that side's value; changed on both, the room wins (its edits are ordered by the
 * fold and the bot writes last; CalDAV clients keep no per-field history).
 */
export function mergeFields(base: JsonObject, room: CalendarEventFields, remote: CalendarEventFields): MergeResult {
  const roomWire = fieldsWire(room);
  const remoteWire = fieldsWire(remote);
  const merged: Record<string, unknown> = { ...room };
  const conflicts: FieldName[] = [];
  for (const name of FIELD_NAMES) {
    const b = canonicalJson(base[name]);
    const roomChanged = canonicalJson(roomWire[name]) !== b;
    const remoteChanged = canonicalJson(remoteWire[name]) !== b;
    if (remoteChanged && !roomChanged) merged[name] = remote[name];
    else if (remoteChanged && roomChanged && canonicalJson(roomWire[name]) !== canonicalJson(remoteWire[name])) conflicts.push(name);
  }
  return { fields: merged as unknown as CalendarEventFields, conflicts };
}
