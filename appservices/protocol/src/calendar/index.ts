// @entente/protocol calendar: shared calendars as room events (docs/calendar-protocol.md). Pure, no I/O.
export * from "./calendar-event-types.ts";
export * from "./calendar-dates.ts";
export * from "./calendar-fields.ts";
export * from "./calendar-body.ts";
export * from "./calendar-state.ts";
export * from "./calendar-root.ts";
export * from "./calendar-update.ts";
export * from "./calendar-rsvp.ts";
export * from "./calendar-fold.ts";
export * from "./calendar-video.ts";
