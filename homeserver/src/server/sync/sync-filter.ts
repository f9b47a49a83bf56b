// The parts of a sync filter we honour. Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering
import { MatrixError } from "../../spec/matrix-error.ts";
import { checkTypePatterns, typeListMatcher } from "../../spec/type-patterns.ts";
import { checkEventFields, compileEventFields, type EventFields } from "./event-fields.ts";

export interface EventFilter {
  limit: number | undefined;
  types: string[] | undefined;
  notTypes: string[];
  senders: string[] | undefined;
  notSenders: string[];
}

export interface SyncFilter {
  rooms: string[] | undefined;
  notRooms: string[];
  includeLeave: boolean;
  timeline: EventFilter;
  lazyLoadMembers: boolean;
  /** room.state.include_redundant_members: with lazy loading, every timeline sender's member event each time. */
  includeRedundantMembers: boolean;
  /** room.timeline.unread_thread_notifications: counts per thread (server/push/unread-counts.ts). */
  unreadThreadNotifications: boolean;
  accountData: EventFilter;
  presence: EventFilter;
  /** event_fields, compiled; undefined (also for an empty list, as Synapse) = every field. */
  eventFields: EventFields | undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown, where: string): Obj => {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new MatrixError("M_BAD_JSON", 400, `filter: ${where} must be an object`);
  return v as Obj;
};
const strs = (v: unknown, where: string): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new MatrixError("M_BAD_JSON", 400, `filter: ${where} must be an array of strings`);
  return v as string[];
};

function eventFilter(v: unknown, where: string): EventFilter {
  const o = obj(v, where);
  const limit = o["limit"];
  if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)) {
    throw new MatrixError("M_BAD_JSON", 400, `filter: ${where}.limit must be a non-negative integer`);
  }
  const types = strs(o["types"], `${where}.types`);
  const notTypes = strs(o["not_types"], `${where}.not_types`) ?? [];
  checkTypePatterns(types, `${where}.types`);
  checkTypePatterns(notTypes, `${where}.not_types`);
  return {
    limit: limit === undefined ? undefined : Math.min(limit, 1000),
    types, notTypes,
    senders: strs(o["senders"], `${where}.senders`), notSenders: strs(o["not_senders"], `${where}.not_senders`) ?? [],
  };
}

export function parseSyncFilter(raw: unknown): SyncFilter {
  const f = obj(raw, "filter");
  const room = obj(f["room"], "room");
  const state = obj(room["state"], "room.state");
  return {
    rooms: strs(room["rooms"], "room.rooms"), notRooms: strs(room["not_rooms"], "room.not_rooms") ?? [],
    includeLeave: room["include_leave"] === true,
    timeline: eventFilter(room["timeline"], "room.timeline"),
    lazyLoadMembers: state["lazy_load_members"] === true,
    includeRedundantMembers: state["include_redundant_members"] === true,
    unreadThreadNotifications: obj(room["timeline"], "room.timeline")["unread_thread_notifications"] === true,
    accountData: eventFilter(f["account_data"], "account_data"),
    presence: eventFilter(f["presence"], "presence"),
    eventFields: eventFields(strs(f["event_fields"], "event_fields")),
  };
}

function eventFields(list: string[] | undefined): EventFields | undefined {
  checkEventFields(list);
  return list === undefined || list.length === 0 ? undefined : compileEventFields(list);
}

export function matchesEventFilter(f: EventFilter, type: string, sender: string): boolean {
  // patterns are globs matched without regular expressions (spec/glob.ts, issue 9 finding 1)
  if (f.notTypes.length > 0 && typeListMatcher(f.notTypes)(type)) return false;
  if (f.types && !typeListMatcher(f.types)(type)) return false;
  if (f.notSenders.includes(sender)) return false;
  if (f.senders && !f.senders.includes(sender)) return false;
  return true;
}

export function roomAllowed(f: SyncFilter, roomId: string): boolean {
  if (f.notRooms.includes(roomId)) return false;
  return f.rooms === undefined || f.rooms.includes(roomId);
}
