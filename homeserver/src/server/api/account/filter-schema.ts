// Structural check of an uploaded filter, so a stored filter never breaks /sync later. Unknown
// keys are kept (clients add experimental ones); known keys must have the spec's types.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering (sync_filter, event_filter,
// room_event_filter definitions). A limit of 0 is tolerated although the spec says "greater than 0".
import { badJson } from "../../../spec/matrix-error.ts";
import { checkTypePatterns } from "../../../spec/type-patterns.ts";
import { checkEventFields } from "../../sync/event-fields.ts";

type Obj = Record<string, unknown>;

function object(v: unknown, where: string): Obj | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badJson(`filter: '${where}' must be an object`);
  return v as Obj;
}

function strings(o: Obj, key: string, where: string): void {
  const v = o[key];
  if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) throw badJson(`filter: '${where}.${key}' must be an array of strings`);
}

function bool(o: Obj, key: string, where: string): void {
  if (o[key] !== undefined && typeof o[key] !== "boolean") throw badJson(`filter: '${where}.${key}' must be a boolean`);
}

function eventFilter(v: unknown, where: string): Obj | undefined {
  const o = object(v, where);
  if (!o) return undefined;
  const limit = o["limit"];
  if (limit !== undefined && (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0)) {
    throw badJson(`filter: '${where}.limit' must be a non-negative integer`);
  }
  for (const k of ["types", "not_types", "senders", "not_senders"]) strings(o, k, where);
  // type patterns are matched against every event on each /sync: capped (M_INVALID_PARAM)
  for (const k of ["types", "not_types"]) checkTypePatterns(o[k] as string[] | undefined, `${where}.${k}`);
  return o;
}

function roomEventFilter(v: unknown, where: string): void {
  const o = eventFilter(v, where);
  if (!o) return;
  for (const k of ["rooms", "not_rooms"]) strings(o, k, where);
  for (const k of ["contains_url", "lazy_load_members", "include_redundant_members", "unread_thread_notifications"]) bool(o, k, where);
}

/** Throws M_BAD_JSON when a known field has the wrong type, M_INVALID_PARAM when a type pattern list is too big. */
export function validateFilter(v: unknown): void {
  const f = object(v, "filter");
  if (!f) throw badJson("The filter must be a JSON object");
  strings(f, "event_fields", "filter");
  checkEventFields(f["event_fields"] as string[] | undefined);
  if (f["event_format"] !== undefined && f["event_format"] !== "client" && f["event_format"] !== "federation") {
    throw badJson("filter: 'event_format' must be client or federation");
  }
  eventFilter(f["presence"], "presence");
  eventFilter(f["account_data"], "account_data");
  const room = object(f["room"], "room");
  if (!room) return;
  strings(room, "rooms", "room");
  strings(room, "not_rooms", "room");
  bool(room, "include_leave", "room");
  for (const k of ["ephemeral", "state", "timeline", "account_data"]) roomEventFilter(room[k], `room.${k}`);
}
