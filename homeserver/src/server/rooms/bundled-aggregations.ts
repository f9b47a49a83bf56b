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
  // Only the requesting user's own events can carry their transaction id.
  const own = rows.filter((r) => r.event.pdu.sender === ctx.userId).map((r) => r.event.eventId);
  const txns = await transactionIds(s.db, ctx.userId, ctx.deviceId, own);
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

/**
 * The visible children of `parents`, oldest first, judged on their columns: a task list's roots
 * have 20,000 m.reference updates between them, and their bundle needs only the ids.
 */
async function visibleChildren(s: SerializeDeps, ctx: SerializeContext, parentIds: readonly string[]): Promise<ChildRow[]> {
  const children = await childrenOf(s.db, parentIds, AGGREGATED);
  const visible: ChildRow[] = [];
  const special: ChildRow[] = [];
  for (const c of children) {
    const v = await ctx.visibility.canSeeMeta(c);
    if (v === "special") special.push(c);
    else if (v) visible.push(c);
  }
  if (special.length === 0) return visible;
  const loaded = await s.stores.events.getEvents(special.map((c) => c.eventId));
  for (const c of special) {
    const row = loaded.get(c.eventId);
    if (row && (await ctx.visibility.canSee(row))) visible.push(c);
  }
  return visible.sort((a, b) => a.stream - b.stream);
}

interface Bundle {
  kids: ChildRow[];
  /** The thread's latest event and the edit shown, as full rows. */
  thread: StoredEventRow | undefined;
  edit: StoredEventRow | undefined;
}

async function aggregate(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[], depth: number): Promise<Map<string, JsonObject>> {
  const parents = new Map(rows.filter((r) => r.event.pdu.state_key === undefined).map((r) => [r.event.eventId, r]));
  const out = new Map<string, JsonObject>();
  if (parents.size === 0) return out;
  const bundles = await bundlesOf(s, ctx, parents);
  // The bundled events of the whole page are formatted in one call.
  const shown = [...bundles.values()].flatMap((b) => [b.thread, b.edit]).filter((r): r is StoredEventRow => r !== undefined);
  const formatted = await serializeRoomEvents(s, ctx, shown, depth + 1);
  const serialized = new Map(shown.map((r, i) => [r.event.eventId, formatted[i]]));
  for (const [parentId, b] of bundles) {
    const parent = parents.get(parentId);
    if (!parent) continue;
    const rel: JsonObject = {};
    const latestEvent = b.thread && serialized.get(b.thread.event.eventId);
    if (latestEvent) {
      const thread = b.kids.filter((k) => k.relType === "m.thread");
      rel["m.thread"] = {
        latest_event: latestEvent, count: thread.length,
        current_user_participated: parent.event.pdu.sender === ctx.userId || thread.some((k) => k.sender === ctx.userId),
      };
    }
    const editEvent = b.edit && serialized.get(b.edit.event.eventId);
    if (editEvent) rel["m.replace"] = editEvent;
    const refs = b.kids.filter((k) => k.relType === "m.reference");
    if (refs.length > 0) rel["m.reference"] = { chunk: refs.map((k) => ({ event_id: k.eventId })) };
    if (Object.keys(rel).length > 0) out.set(parentId, rel);
  }
  return out;
}

/** Each parent's visible children, with the rows of its thread's latest event and its edit loaded in one query. */
async function bundlesOf(s: SerializeDeps, ctx: SerializeContext, parents: ReadonlyMap<string, StoredEventRow>): Promise<Map<string, Bundle>> {
  const byParent = new Map<string, ChildRow[]>();
  for (const c of await visibleChildren(s, ctx, [...parents.keys()])) {
    const kids = byParent.get(c.parentId);
    if (kids) kids.push(c);
    else byParent.set(c.parentId, [c]);
  }
  const latestThread = (kids: readonly ChildRow[]): ChildRow | undefined => kids.filter((k) => k.relType === "m.thread").at(-1);
  const edits = (parentId: string, kids: readonly ChildRow[]): ChildRow[] => (parents.get(parentId)?.redactedBy ? [] : kids.filter((k) => k.relType === "m.replace"));
  const wanted: string[] = [];
  for (const [parentId, kids] of byParent) wanted.push(...[latestThread(kids), ...edits(parentId, kids)].flatMap((k) => (k ? [k.eventId] : [])));
  const loaded = wanted.length === 0 ? new Map<string, StoredEventRow>() : await s.stores.events.getEvents(wanted);
  const out = new Map<string, Bundle>();
  for (const [parentId, kids] of byParent) {
    const parent = parents.get(parentId);
    if (!parent) continue;
    const latest = latestThread(kids);
    const editRows = edits(parentId, kids).map((k) => loaded.get(k.eventId));
    out.set(parentId, { kids, thread: latest && loaded.get(latest.eventId), edit: editRows.length === 0 ? undefined : latestEdit(parent.event.pdu, editRows) });
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
