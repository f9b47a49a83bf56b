// RoomEventFilter as used by /messages and /context (the `filter` query parameter).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering
// Also honours MSC3874 `rel_types` / `not_rel_types` (unprefixed and org.matrix.msc3874.*), which
// clients use to hide thread replies from the main timeline.
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import { senderOfRow, typeOfRow } from "../../storage/event-columns.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { globMatches } from "../../spec/glob.ts";
import { checkTypePatterns, typeListMatcher } from "../../spec/type-patterns.ts";
import { parseJsonParam } from "../../spec/json-limits.ts";

export interface RoomEventFilter {
  limit: number | undefined;
  types: string[] | undefined;
  notTypes: string[];
  senders: string[] | undefined;
  notSenders: string[];
  rooms: string[] | undefined;
  notRooms: string[];
  containsUrl: boolean | undefined;
  relTypes: string[] | undefined;
  notRelTypes: string[];
  lazyLoadMembers: boolean;
  includeRedundantMembers: boolean;
}

export const EMPTY_ROOM_EVENT_FILTER: RoomEventFilter = {
  limit: undefined, types: undefined, notTypes: [], senders: undefined, notSenders: [], rooms: undefined, notRooms: [],
  containsUrl: undefined, relTypes: undefined, notRelTypes: [], lazyLoadMembers: false, includeRedundantMembers: false,
};

const bad = (message: string): MatrixError => new MatrixError("M_INVALID_PARAM", 400, `filter: ${message}`);

function strings(o: Record<string, unknown>, ...keys: string[]): string[] | undefined {
  for (const key of keys) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw bad(`'${key}' must be an array of strings`);
    return v as string[];
  }
  return undefined;
}

function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad(`'${key}' must be a boolean`);
  return v;
}

/** Parses the `filter` query parameter (a JSON RoomEventFilter); absent means no filtering. */
export function parseRoomEventFilterParam(raw: string | null): RoomEventFilter {
  if (raw === null || raw === "") return EMPTY_ROOM_EVENT_FILTER;
  return parseRoomEventFilter(parseJsonParam(raw, "filter"));
}

export function parseRoomEventFilter(json: unknown): RoomEventFilter {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("must be a JSON object");
  const o = json as Record<string, unknown>;
  const limit = o["limit"];
  if (limit !== undefined && limit !== null && (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0)) {
    throw bad("'limit' must be a non-negative integer");
  }
  const types = strings(o, "types");
  const notTypes = strings(o, "not_types") ?? [];
  checkTypePatterns(types, "types");
  checkTypePatterns(notTypes, "not_types");
  return {
    limit: typeof limit === "number" ? limit : undefined,
    types, notTypes,
    senders: strings(o, "senders"), notSenders: strings(o, "not_senders") ?? [],
    rooms: strings(o, "rooms"), notRooms: strings(o, "not_rooms") ?? [],
    containsUrl: bool(o, "contains_url"),
    relTypes: strings(o, "rel_types", "org.matrix.msc3874.rel_types"),
    notRelTypes: strings(o, "not_rel_types", "org.matrix.msc3874.not_rel_types") ?? [],
    lazyLoadMembers: bool(o, "lazy_load_members") ?? false,
    includeRedundantMembers: bool(o, "include_redundant_members") ?? false,
  };
}

/** `*` matches any sequence of characters in type patterns (no regex: see spec/glob.ts). */
export function typeMatches(pattern: string, type: string): boolean {
  return globMatches(pattern, type, { questionMark: false, caseInsensitive: false });
}

function relTypeOf(content: JsonObject): string | undefined {
  const rel = content["m.relates_to"];
  if (typeof rel !== "object" || rel === null || Array.isArray(rel)) return undefined;
  const t = rel["rel_type"];
  return typeof t === "string" ? t : undefined;
}

/** Whether an event passes the filter; the `not_*` lists win over the include lists. */
export function matchesRoomEventFilter(f: RoomEventFilter, pdu: Pdu, roomId: string): boolean {
  return matches(f, pdu.type, pdu.sender, roomId, () => pdu.content);
}

/** The same for a stored row: its content is parsed only for contains_url and rel_types. */
export function rowMatchesRoomEventFilter(f: RoomEventFilter, row: StoredEventRow, roomId: string): boolean {
  return matches(f, typeOfRow(row), senderOfRow(row), roomId, () => row.event.pdu.content);
}

function matches(f: RoomEventFilter, type: string, sender: string, roomId: string, content: () => JsonObject): boolean {
  if (f.notRooms.includes(roomId) || (f.rooms && !f.rooms.includes(roomId))) return false;
  if (f.notTypes.length > 0 && typeListMatcher(f.notTypes)(type)) return false;
  if (f.types && !typeListMatcher(f.types)(type)) return false;
  if (f.notSenders.includes(sender)) return false;
  if (f.senders && !f.senders.includes(sender)) return false;
  if (f.containsUrl !== undefined && (typeof content()["url"] === "string") !== f.containsUrl) return false;
  if (f.notRelTypes.length === 0 && f.relTypes === undefined) return true;
  const rel = relTypeOf(content());
  if (rel !== undefined && f.notRelTypes.includes(rel)) return false;
  if (f.relTypes && (rel === undefined || !f.relTypes.includes(rel))) return false;
  return true;
}
