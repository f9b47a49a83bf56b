// Client events with bundled aggregations (unsigned.m.relations) for m.thread, m.replace and
// m.reference children. Spec: https://spec.matrix.org/v1.16/client-server-api/#aggregations-of-child-events
// (/messages, /context, /event, /relations, /threads; state events get none).
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { senderOfRow, stateKeyOfRow } from "../../storage/event-columns.ts";
import { childrenOf, transactionIds, type ChildRow } from "../../storage/event-queries.ts";
import type { ServerContext } from "../context.ts";
import { clientEvent, type ClientEventOptions } from "./client-event.ts";
import { clientEventText } from "./client-event-text.ts";
import { prevStates } from "./prev-content.ts";
import type { RoomVisibility } from "./visibility.ts";

export type SerializeDeps = Pick<ServerContext, "db" | "stores" | "clock">;

export interface SerializeContext {
  userId: string;
  deviceId: string;
  version: RoomVersion;
  visibility: RoomVisibility;
}

const AGGREGATED = ["m.thread", "m.replace", "m.reference"] as const;

/** The bundled aggregations of one event, its bundled events already formatted (T: object or text). */
export interface Relations<T> {
  thread?: { latestEvent: T; count: number; participated: boolean };
  replace?: T;
  references?: string[];
}

/** How a client event and its bundle are written: as objects (JsonObject) or as JSON text. */
export interface EventRenderer<T> {
  event(row: StoredEventRow, opts: Omit<ClientEventOptions, "withRoomId">, relations: Relations<T> | undefined): T;
}

const objectRenderer: EventRenderer<JsonObject> = {
  event(row, opts, relations) {
    const ev = clientEvent(row, { ...opts, withRoomId: true });
    if (relations === undefined) return ev;
    const rel: JsonObject = {};
    if (relations.thread) {
      const t = relations.thread;
      rel["m.thread"] = { latest_event: t.latestEvent, count: t.count, current_user_participated: t.participated };
    }
    if (relations.replace) rel["m.replace"] = relations.replace;
    if (relations.references) rel["m.reference"] = { chunk: relations.references.map((id) => ({ event_id: id })) };
    (ev["unsigned"] as JsonObject)["m.relations"] = rel;
    return ev;
  },
};

/** The same JSON as objectRenderer, written as text (content spliced from the stored text). */
const textRenderer: EventRenderer<string> = {
  event(row, opts, relations) {
    if (relations === undefined) return clientEventText(row, opts);
    const rel: string[] = [];
    if (relations.thread) {
      const t = relations.thread;
      rel.push(`"m.thread":{"latest_event":${t.latestEvent},"count":${t.count},"current_user_participated":${t.participated}}`);
    }
    if (relations.replace !== undefined) rel.push(`"m.replace":${relations.replace}`);
    if (relations.references) rel.push(`"m.reference":{"chunk":[${relations.references.map((id) => `{"event_id":${JSON.stringify(id)}}`).join(",")}]}`);
    return clientEventText(row, opts, `{${rel.join(",")}}`);
  },
};

/** Formats rows as client events (with room_id), bundling aggregations and transaction ids. */
export function serializeRoomEvents(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[]): Promise<JsonObject[]> {
  return serializeWith(s, ctx, rows, objectRenderer, 0);
}

/** The same events as serializeRoomEvents, each as its JSON text (for responses built as text). */
export function serializeRoomEventsText(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[]): Promise<string[]> {
  return serializeWith(s, ctx, rows, textRenderer, 0);
}

async function serializeWith<T>(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[], render: EventRenderer<T>, depth: number): Promise<T[]> {
  // Only the requesting user's own events can carry their transaction id.
  const own = rows.filter((r) => senderOfRow(r) === ctx.userId).map((r) => r.event.eventId);
  const txns = await transactionIds(s.db, ctx.userId, ctx.deviceId, own);
  const relations = depth > 1 ? new Map<string, Relations<T>>() : await aggregate(s, ctx, rows, render, depth);
  const prevs = await prevStates(s.stores.events, rows, ctx.version);
  const now = s.clock.now();
  return rows.map((row) => {
    const txn = txns.get(row.event.eventId);
    return render.event(row, { now, version: ctx.version, prev: prevs.get(row.event.eventId), ...(txn === undefined ? {} : { transactionId: txn }) }, relations.get(row.event.eventId));
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

async function aggregate<T>(s: SerializeDeps, ctx: SerializeContext, rows: readonly StoredEventRow[], render: EventRenderer<T>, depth: number): Promise<Map<string, Relations<T>>> {
  const parents = new Map(rows.filter((r) => stateKeyOfRow(r) === undefined).map((r) => [r.event.eventId, r]));
  const out = new Map<string, Relations<T>>();
  if (parents.size === 0) return out;
  const bundles = await bundlesOf(s, ctx, parents);
  // The bundled events of the whole page are formatted in one call.
  const shown = [...bundles.values()].flatMap((b) => [b.thread, b.edit]).filter((r): r is StoredEventRow => r !== undefined);
  const formatted = await serializeWith(s, ctx, shown, render, depth + 1);
  const serialized = new Map(shown.map((r, i) => [r.event.eventId, formatted[i]]));
  for (const [parentId, b] of bundles) {
    const parent = parents.get(parentId);
    if (!parent) continue;
    const rel: Relations<T> = {};
    const latestEvent = b.thread && serialized.get(b.thread.event.eventId);
    if (latestEvent !== undefined) {
      const thread = b.kids.filter((k) => k.relType === "m.thread");
      rel.thread = { latestEvent, count: thread.length, participated: senderOfRow(parent) === ctx.userId || thread.some((k) => k.sender === ctx.userId) };
    }
    const editEvent = b.edit && serialized.get(b.edit.event.eventId);
    if (editEvent !== undefined) rel.replace = editEvent;
    const refs = b.kids.filter((k) => k.relType === "m.reference");
    if (refs.length > 0) rel.references = refs.map((k) => k.eventId);
    if (rel.thread || rel.replace !== undefined || rel.references) out.set(parentId, rel);
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
