// The parts of a sync filter we honour. Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering
import { MatrixError } from "../../spec/matrix-error.ts";

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
  accountData: EventFilter;
  presence: EventFilter;
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
  return {
    limit: limit === undefined ? undefined : Math.min(limit, 1000),
    types: strs(o["types"], `${where}.types`), notTypes: strs(o["not_types"], `${where}.not_types`) ?? [],
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
    accountData: eventFilter(f["account_data"], "account_data"),
    presence: eventFilter(f["presence"], "presence"),
  };
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(value);
}

export function matchesEventFilter(f: EventFilter, type: string, sender: string): boolean {
  if (f.notTypes.some((p) => globMatch(p, type))) return false;
  if (f.types && !f.types.some((p) => globMatch(p, type))) return false;
  if (f.notSenders.includes(sender)) return false;
  if (f.senders && !f.senders.includes(sender)) return false;
  return true;
}

export function roomAllowed(f: SyncFilter, roomId: string): boolean {
  if (f.notRooms.includes(roomId)) return false;
  return f.rooms === undefined || f.rooms.includes(roomId);
}
