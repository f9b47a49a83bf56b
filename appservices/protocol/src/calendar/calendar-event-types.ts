// Wire names of Entente's shared calendars (docs/calendar-protocol.md), same conventions as tasks
// (DESIGN.md §6): configuration in state, content in the timeline, updates by m.reference.
// https://spec.matrix.org/v1.16/client-server-api/#types-of-room-events

/** State, state_key = binding id: a room calendar and its (optional) CalDAV collection. No secrets. */
export const CALENDAR_STATE = "fr.entente.calendar";
/** Timeline: the anchor every calendar event root references (one per binding). */
export const CALENDAR_ANCHOR = "fr.entente.calendar.anchor";
/** `msgtype` of an event (or series) root: an `m.room.message`, so any client shows its `body`. */
export const EVENT_MSGTYPE = "fr.entente.event";
/** Key of the event fields inside the root's content. */
export const EVENT_CONTENT_KEY = "fr.entente.event";
/** Timeline: a change (or the cancellation) of an event, `m.reference` to its root. */
export const EVENT_UPDATE = "fr.entente.event.update";
/** Timeline: a member's answer to an event (or one occurrence), `m.reference` to its root. */
export const EVENT_RSVP = "fr.entente.event.rsvp";

/** Highest calendar schema version this code reads and writes. */
export const CALENDAR_SCHEMA_VERSION = 1;
