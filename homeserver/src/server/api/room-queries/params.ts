// Path and query parameter parsing shared by the room query endpoints; every failure is a
// MatrixError with the spec's errcode.
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseEventId, parseRoomId } from "../../../spec/ids.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { parsePaginationToken } from "../../rooms/pagination-token.ts";

export function roomIdParam(ctx: RequestContext): string {
  const roomId = ctx.params["roomId"] ?? "";
  if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}'`);
  return roomId;
}

export function eventIdParam(ctx: RequestContext): string {
  const eventId = ctx.params["eventId"] ?? "";
  if (!parseEventId(eventId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid event id '${eventId}'`);
  return eventId;
}

/** A non-empty path segment such as an event type or relation type. */
export function nameParam(ctx: RequestContext, key: string): string {
  const v = ctx.params[key] ?? "";
  if (v === "" || v.length > 255) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid '${key}'`);
  return v;
}

/** `dir`: "b" or "f"; `def` undefined means the parameter is required. */
export function dirParam(q: URLSearchParams, def?: "b" | "f"): "b" | "f" {
  const raw = q.get("dir");
  if (raw === null || raw === "") {
    if (def === undefined) throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'dir' parameter");
    return def;
  }
  if (raw !== "b" && raw !== "f") throw new MatrixError("M_INVALID_PARAM", 400, "'dir' must be 'b' or 'f'");
  return raw;
}

/** A limit: integer >= min (else 400), capped at max. */
export function limitParam(q: URLSearchParams, def: number, max: number, min = 0): number {
  const raw = q.get("limit");
  if (raw === null || raw === "") return def;
  if (!/^-?\d{1,16}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", 400, "'limit' must be an integer");
  const n = Number(raw);
  if (n < min) throw new MatrixError("M_INVALID_PARAM", 400, `'limit' must be at least ${min}`);
  return Math.min(n, max);
}

/** A pagination token parameter as a stream position, or undefined when absent. */
export function tokenParam(q: URLSearchParams, key: string): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === "") return undefined;
  return parsePaginationToken(raw, key);
}

/** An optional boolean query parameter ("true" / "false"). */
export function boolParam(q: URLSearchParams, key: string): boolean | undefined {
  const raw = q.get(key);
  if (raw === null || raw === "") return undefined;
  if (raw !== "true" && raw !== "false") throw new MatrixError("M_INVALID_PARAM", 400, `'${key}' must be true or false`);
  return raw === "true";
}

/** An optional enum query parameter. */
export function enumParam<T extends string>(q: URLSearchParams, key: string, values: readonly T[]): T | undefined {
  const raw = q.get(key);
  if (raw === null || raw === "") return undefined;
  if (!(values as readonly string[]).includes(raw)) throw new MatrixError("M_INVALID_PARAM", 400, `'${key}' must be one of ${values.join(", ")}`);
  return raw as T;
}

export const notFound = (what = "Event not found"): MatrixError => new MatrixError("M_NOT_FOUND", 404, what);
