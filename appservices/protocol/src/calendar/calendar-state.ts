// `fr.entente.calendar` state, state_key = binding id: which room calendar is bound to which CalDAV
// collection, and how. Pointers and configuration only: state events are never end-to-end
// encrypted, so credentials, sync tokens and the etag map stay in the bot's own store (DESIGN.md §6).
import { fail, isObject, ok, parseEventId, parseString, parseUserId, parseVersion, type JsonObject, type Parsed } from "../parse.ts";
import { CALENDAR_SCHEMA_VERSION } from "./calendar-event-types.ts";

export type SyncDirection = "both" | "to_caldav" | "from_caldav";
const DIRECTIONS: readonly SyncDirection[] = ["both", "to_caldav", "from_caldav"];

export interface CalendarBinding {
  version: number;
  /** the state_key */
  id: string;
  anchor: string;
  name: string;
  /** absent: a Matrix-only calendar */
  caldav?: { server: string; collection: string };
  direction: SyncDirection;
  /** zone for floating times from CalDAV and for new events */
  defaultTzid: string;
  /** the ICS feed switch; the secret URL itself is in the bot's store */
  icsFeed: boolean;
  /** every new timed event gets a Jitsi meeting (the bot adds the widget and fills `video`) */
  autoVideo: boolean;
  bot?: string;
  /** set by the bot while the binding cannot sync ("credentials refused", "server unreachable") */
  error?: string;
}

const BINDING_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TZID = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

function parseHttpUrl(value: unknown, what: string): Parsed<string> {
  const s = parseString(value, what, 2000);
  if (!s.ok) return s;
  try {
    const u = new URL(s.value);
    if (u.protocol !== "https:" && u.protocol !== "http:") return fail(`${what} must be an http(s) URL`);
    if (u.username !== "" || u.password !== "") return fail(`${what} must not carry credentials`);
  } catch {
    return fail(`${what} must be an http(s) URL`);
  }
  return ok(s.value);
}

function parseCaldav(value: unknown): Parsed<{ server: string; collection: string } | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  if (!isObject(value)) return fail("caldav must be an object");
  const server = parseHttpUrl(value["server"], "caldav.server");
  if (!server.ok) return server;
  const collection = parseString(value["collection"], "caldav.collection", 2000);
  if (!collection.ok) return collection;
  return ok({ server: server.value, collection: collection.value });
}

export function parseCalendarBinding(stateKey: string, content: unknown): Parsed<CalendarBinding> {
  if (!BINDING_ID.test(stateKey)) return fail("state_key must be a binding id (letters, digits, . _ -)");
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], CALENDAR_SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseEventId(content["anchor"], "anchor");
  if (!anchor.ok) return anchor;
  const name = parseString(content["name"], "name", 200);
  if (!name.ok) return name;
  const caldav = parseCaldav(content["caldav"]);
  if (!caldav.ok) return caldav;
  const direction = content["direction"] ?? "both";
  if (!DIRECTIONS.includes(direction as SyncDirection)) return fail(`direction must be one of ${DIRECTIONS.join(", ")}`);
  const tz = content["default_tzid"] ?? "Europe/Paris";
  if (typeof tz !== "string" || tz.length > 64 || !TZID.test(tz)) return fail("default_tzid must be a time zone name");
  const feed = content["ics_feed"] ?? false;
  if (typeof feed !== "boolean") return fail("ics_feed must be a boolean");
  const autoVideo = content["auto_video"] ?? false;
  if (typeof autoVideo !== "boolean") return fail("auto_video must be a boolean");
  const binding: CalendarBinding = { version: version.value, id: stateKey, anchor: anchor.value, name: name.value, direction: direction as SyncDirection, defaultTzid: tz, icsFeed: feed, autoVideo };
  if (caldav.value !== undefined) binding.caldav = caldav.value;
  if (content["bot"] !== undefined) {
    const bot = parseUserId(content["bot"], "bot");
    if (!bot.ok) return bot;
    binding.bot = bot.value;
  }
  if (content["error"] !== undefined) {
    const error = parseString(content["error"], "error", 500);
    if (!error.ok) return error;
    binding.error = error.value;
  }
  return ok(binding);
}

export function buildCalendarBinding(input: Omit<CalendarBinding, "version" | "id" | "direction" | "defaultTzid" | "icsFeed" | "autoVideo"> & Partial<Pick<CalendarBinding, "direction" | "defaultTzid" | "icsFeed" | "autoVideo">>): JsonObject {
  const content: JsonObject = {
    version: CALENDAR_SCHEMA_VERSION,
    anchor: input.anchor,
    name: input.name,
    direction: input.direction ?? "both",
    default_tzid: input.defaultTzid ?? "Europe/Paris",
    ics_feed: input.icsFeed ?? false,
  };
  if (input.autoVideo === true) content["auto_video"] = true;
  if (input.caldav !== undefined) content["caldav"] = { ...input.caldav };
  if (input.bot !== undefined) content["bot"] = input.bot;
  if (input.error !== undefined) content["error"] = input.error;
  return content;
}
