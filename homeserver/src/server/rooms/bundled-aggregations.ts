// Client events with bundled aggregations (unsigned.m.relations) for m.thread, m.replace and
// m.reference children. Spec: https://spec.matrix.org/v1.16/client-server-api/#aggregations-of-child-events
// (/messages, /context, /event, /relations, /threads; state events get none).
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { childrenOf, transactionIds, type ChildRow } from "../../storage/event-queries.ts";
import type { ServerContext } from "../context.ts";
import { clientEvent } from "./client-event.ts";
import type { RoomVisibility } from "./visibility.ts";

export type SerializeDeps = Pick<ServerContext, "db" | "stores" | "clock">;

export interface SerializeContext {
  userId: string;
  deviceId: string;
  version: RoomVersion;
  visibility: RoomVisibility;
}

const AGGREGATED = ["m.thread", "m.replace", "m.reference"] as const;

/** Formats rows as client events (with room_id), bundling aggregations and transaction ids. */
export async function serializeRoomEvents(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[], depth = 0): Promise<JsonObject[]> {
  const txns = await transactionIds(s.db, ctx.userId, ctx.deviceId, rows.map((r) => r.event.eventId));
  const relations = depth > 1 ? new Map<string, JsonObject>() : await aggregate(s, ctx, rows, depth);
  const now = s.clock.now();
  return rows.map((row) => {
    const txn = txns.get(row.event.eventId);
    const ev = clientEvent(row, { now, version: ctx.version, withRoomId: true, ...(txn === undefined ? {} : { transactionId: txn }) });
    const rel = relations.get(row.event.eventId);
    if (rel) (ev["unsigned"] as JsonObject)["m.relations"] = rel;
    return ev;
  });
}

async function aggregate(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[], depth: number): Promise<Map<string, JsonObject>> {
  const parents = new Map(rows.filter((r) => r.event.pdu.state_key === undefined).map((r) => [r.event.eventId, r]));
  const out = new Map<string, JsonObject>();
  if (parents.size === 0) return out;
  const children = await childrenOf(s.db, [...parents.keys()], AGGREGATED);
  const loaded = await s.stores.events.getEvents(children.map((c) => c.eventId));
  const byParent = new Map<string, ChildRow[]>();
  for (const c of children) {
    const row = loaded.get(c.eventId);
    if (!row || !(await ctx.visibility.canSee(row))) continue;
    byParent.set(c.parentId, [...(byParent.get(c.parentId) ?? []), c]);
  }
  for (const [parentId, kids] of byParent) {
    const parent = parents.get(parentId);
    if (!parent) continue;
    const rel: JsonObject = {};
    const thread = kids.filter((k) => k.relType === "m.thread");
    const latest = thread.at(-1);
    const latestRow = latest && loaded.get(latest.eventId);
    if (latestRow) {
      const [latestEvent] = await serializeRoomEvents(s, ctx, [latestRow], depth + 1);
      rel["m.thread"] = {
        latest_event: latestEvent ?? null, count: thread.length,
        current_user_participated: parent.event.pdu.sender === ctx.userId || thread.some((k) => k.sender === ctx.userId),
      };
    }
    const edit = parent.redactedBy ? undefined : latestEdit(parent.event.pdu, kids.filter((k) => k.relType === "m.replace").map((k) => loaded.get(k.eventId)));
    const [editEvent] = edit ? await serializeRoomEvents(s, ctx, [edit], depth + 1) : [];
    if (editEvent) rel["m.replace"] = editEvent;
    const refs = kids.filter((k) => k.relType === "m.reference");
    if (refs.length > 0) rel["m.reference"] = { chunk: refs.map((k) => ({ event_id: k.eventId })) };
    if (Object.keys(rel).length > 0) out.set(parentId, rel);
  }
  return out;
}

/**
 * The most recent valid replacement: same sender and type as the original, neither a state event,
 * the original not itself an edit; ties on origin_server_ts go to the larger event id.
 * https://spec.matrix.org/v1.16/client-server-api/#validity-of-replacement-events
 */
export function latestEdit(original: Pdu, edits: readonly (StoredEventRow | undefined)[]): StoredEventRow | undefined {
  const origRel = original.content["m.relates_to"];
  if (original.state_key !== undefined || (isObject(origRel) && origRel["rel_type"] === "m.replace")) return undefined;
  let best: StoredEventRow | undefined;
  for (const e of edits) {
    if (!e || e.redactedBy) continue;
    const p = e.event.pdu;
    if (p.sender !== original.sender || p.type !== original.type || p.state_key !== undefined) continue;
    if (p.type !== "m.room.encrypted" && !isObject(p.content["m.new_content"])) continue;
    const b = best?.event.pdu;
    if (!b || p.origin_server_ts > b.origin_server_ts || (p.origin_server_ts === b.origin_server_ts && e.event.eventId > (best?.event.eventId ?? ""))) best = e;
  }
  return best;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
