// The one place the client's task views reach into @entente/protocol and the pure time helpers of
// the tasks bot and bot kit (relative paths: the tsconfigs rewrite only relative `.ts` imports, as
// in widgets/calendar/src/protocol.ts). Pure code only: no bot I/O comes along.
export * from "../../../../appservices/protocol/src/index.ts";
export { addDays, icalDate, instantOf, wallTimeAt, wallTimeFromIcal } from "../../../../appservices/tasks/src/local-time.ts";
export { DEFAULT_TIME_ZONE, timeZoneFromProfile } from "../../../../appservices/kit/src/time-zone.ts";
