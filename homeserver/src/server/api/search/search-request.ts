// The request body of POST /search, parsed at the boundary: wrong shapes are M_BAD_JSON, wrong
// values M_INVALID_PARAM, categories other than room_events M_UNKNOWN (the spec's 400 "unknown
// category"). Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3search
import type { JsonObject } from "../../../room/pdu.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { SEARCH_KEYS, type SearchKey } from "../../../storage/search-text.ts";
import { EMPTY_ROOM_EVENT_FILTER, parseRoomEventFilter, type RoomEventFilter } from "../../rooms/room-event-filter.ts";
import { bodyObject, optBool, optInt, optObject, optString, optStringArray, reqString } from "../json.ts";

export type GroupKey = "room_id" | "sender";

export interface EventContextRequest {
  beforeLimit: number;
  afterLimit: number;
  includeProfile: boolean;
}

export interface RoomEventsRequest {
  term: string;
  keys: SearchKey[];
  filter: RoomEventFilter;
  order: "rank" | "recent";
  limit: number;
  context: EventContextRequest | undefined;
  includeState: boolean;
  groupBy: GroupKey[];
}

export const DEFAULT_LIMIT = 10;
/** Results per page; larger filter limits are capped (each result may carry context and state). */
export const MAX_LIMIT = 50;
const MAX_CONTEXT = 20;
const MAX_TERM_CHARS = 1000;

const invalid = (message: string): MatrixError => new MatrixError("M_INVALID_PARAM", 400, message);

/** The room_events category, or undefined when the request has none (an empty answer). */
export function parseSearchRequest(body: unknown): RoomEventsRequest | undefined {
  const o = bodyObject(body);
  if (o["search_categories"] === undefined) throw new MatrixError("M_BAD_JSON", 400, "Missing 'search_categories'");
  const categories = optObject(o, "search_categories") ?? {};
  for (const key of Object.keys(categories)) {
    if (key !== "room_events") throw new MatrixError("M_UNKNOWN", 400, `Unknown search category '${key}'`);
  }
  const room = optObject(categories, "room_events");
  return room === undefined ? undefined : parseRoomEvents(room);
}

function parseRoomEvents(o: JsonObject): RoomEventsRequest {
  const term = reqString(o, "search_term", 65536);
  if (term.length > MAX_TERM_CHARS) throw invalid(`'search_term' is longer than ${MAX_TERM_CHARS} characters`);
  const keys = optStringArray(o, "keys") ?? [...SEARCH_KEYS];
  for (const k of keys) if (!(SEARCH_KEYS as readonly string[]).includes(k)) throw invalid(`Unknown key '${k}' in 'keys' (allowed: ${SEARCH_KEYS.join(", ")})`);
  const order = optString(o, "order_by") ?? "rank";
  if (order !== "rank" && order !== "recent") throw invalid("'order_by' must be 'rank' or 'recent'");
  const filterJson = optObject(o, "filter");
  const filter = filterJson === undefined ? EMPTY_ROOM_EVENT_FILTER : parseRoomEventFilter(filterJson);
  if (filter.limit === 0) throw invalid("filter: 'limit' must be at least 1");
  return {
    term, keys: [...new Set(keys)] as SearchKey[], filter, order,
    limit: Math.min(filter.limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    context: parseContext(optObject(o, "event_context")),
    includeState: optBool(o, "include_state") ?? false,
    groupBy: parseGroupings(optObject(o, "groupings")),
  };
}

function parseContext(o: JsonObject | undefined): EventContextRequest | undefined {
  if (o === undefined) return undefined;
  const limit = (key: string): number => {
    const n = optInt(o, key) ?? 5;
    if (n < 0) throw invalid(`'event_context.${key}' must not be negative`);
    return Math.min(n, MAX_CONTEXT);
  };
  return { beforeLimit: limit("before_limit"), afterLimit: limit("after_limit"), includeProfile: optBool(o, "include_profile") ?? false };
}

function parseGroupings(o: JsonObject | undefined): GroupKey[] {
  if (o === undefined) return [];
  const list = o["group_by"];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new MatrixError("M_BAD_JSON", 400, "'groupings.group_by' must be an array");
  const out: GroupKey[] = [];
  for (const g of list) {
    if (typeof g !== "object" || g === null || Array.isArray(g)) throw new MatrixError("M_BAD_JSON", 400, "'groupings.group_by' entries must be objects");
    const key = optString(g, "key");
    if (key !== "room_id" && key !== "sender") throw invalid("'groupings.group_by[].key' must be 'room_id' or 'sender'");
    if (!out.includes(key)) out.push(key);
  }
  return out;
}
