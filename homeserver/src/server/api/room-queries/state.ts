// GET /_matrix/client/v3/rooms/{roomId}/state, GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey},
// GET /_matrix/client/v3/rooms/{roomId}/members, GET /_matrix/client/v3/rooms/{roomId}/joined_members
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidstate
// Joined users (and anyone in world_readable rooms) see the current state; users who have left see
// the state as of their leave.
import type { JsonObject, StateKey } from "../../../room/pdu.ts";
import { splitStateKey, stateKeyOf } from "../../../room/pdu.ts";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { clientEvent } from "../../rooms/client-event.ts";
import { requireRoomAccess, type RoomAccess } from "../../rooms/visibility.ts";
import { enumParam, nameParam, notFound, roomIdParam, tokenParam } from "./params.ts";
import { jsonArrayStream, yieldToLoop } from "../../http/chunked-json.ts";

const MEMBERSHIPS = ["join", "invite", "knock", "leave", "ban"] as const;

async function stateMap(s: ServerContext, access: RoomAccess, group = access.stateGroup): Promise<ReadonlyMap<StateKey, string>> {
  return group === undefined ? new Map() : s.stores.events.stateMapOfGroup(group);
}

async function rowsOf(s: ServerContext, ids: readonly string[]): Promise<StoredEventRow[]> {
  const loaded = await s.stores.events.getEvents(ids);
  return ids.map((id) => loaded.get(id)).filter((r): r is StoredEventRow => r !== undefined);
}

const format = (s: ServerContext, access: RoomAccess, rows: readonly StoredEventRow[]): JsonObject[] =>
  rows.map((r) => clientEvent(r, { now: s.clock.now(), version: access.version, withRoomId: true }));

/**
 * The full state can be 10,000 events: it is built in slices (yielding to other requests), streamed,
 * cached per state group, and one user runs at most a couple at a time (issue 9, finding 7).
 */
export const stateHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const access = await requireRoomAccess(s, me.userId, roomIdParam(ctx), { allowFormerMembers: true });
  const group = access.stateGroup;
  if (group === undefined) return { json: [] };
  // the gate covers building the body: the stream below is consumed inside it
  return s.heavyReads.gate.run(me.userId, async () => {
    const ids = [...(await stateMap(s, access)).values()];
    const slices: string[][] = [];
    for await (const slice of s.heavyReads.state.slices(group, ids, access.version, () => s.clock.now())) slices.push(slice);
    return { stream: jsonArrayStream(toAsync(slices)), headers: { "Content-Type": "application/json" } };
  });
};

async function* toAsync(slices: readonly string[][]): AsyncGenerator<string[]> {
  for (const slice of slices) {
    yield slice;
    await yieldToLoop();
  }
}

/** `format=content` (default) returns the content only, `format=event` the client event (v1.16). */
export const stateEventHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const eventType = nameParam(ctx, "eventType");
  const stateKey = ctx.params["stateKey"] ?? "";
  const fmt = enumParam(ctx.query, "format", ["content", "event"] as const) ?? "content";
  const access = await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  const id = (await stateMap(s, access)).get(stateKeyOf(eventType, stateKey));
  const row = id === undefined ? undefined : await s.stores.events.getEvent(id);
  if (!row) throw notFound(`No ${eventType} state with key '${stateKey}' in this room`);
  const [event] = format(s, access, [row]);
  return { json: fmt === "event" ? event : (event?.["content"] ?? {}) };
};

/**
 * `membership` and `not_membership` together form an OR (spec): keep members whose membership is
 * `membership` or is not `not_membership`.
 */
export function membershipWanted(m: string, membership: string | undefined, notMembership: string | undefined): boolean {
  if (membership !== undefined && notMembership !== undefined) return m === membership || m !== notMembership;
  if (membership !== undefined) return m === membership;
  if (notMembership !== undefined) return m !== notMembership;
  return true;
}

export const membersHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return s.heavyReads.gate.run(me.userId, () => members(s, ctx, me.userId));
};

async function members(s: ServerContext, ctx: Parameters<Handler>[0], userId: string): Promise<{ json: unknown }> {
  const me = { userId };
  const roomId = roomIdParam(ctx);
  const at = tokenParam(ctx.query, "at");
  const membership = enumParam(ctx.query, "membership", MEMBERSHIPS);
  const notMembership = enumParam(ctx.query, "not_membership", MEMBERSHIPS);
  const access = await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  let group = access.stateGroup;
  if (at !== undefined) {
    // t<N> is the position before stream N; former members never read past their leave.
    const pos = access.upTo === undefined ? at - 1 : Math.min(at - 1, access.upTo);
    group = await s.stores.events.stateGroupAt(roomId, pos);
  }
  const state = await stateMap(s, access, group);
  const ids = [...state].filter(([k]) => splitStateKey(k)[0] === "m.room.member").map(([, id]) => id);
  const rows = (await rowsOf(s, ids)).filter((r) => {
    const m = r.event.pdu.content["membership"];
    return typeof m === "string" && membershipWanted(m, membership, notMembership);
  });
  return { json: { chunk: format(s, access, rows) } };
}

/** Joined users only (or world_readable rooms); display names and avatars from member events. */
export const joinedMembersHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  await requireRoomAccess(s, me.userId, roomId);
  const members = await s.stores.rooms.members(roomId, "join");
  const rows = await rowsOf(s, members.map((m) => m.eventId));
  const joined: Record<string, JsonObject> = {};
  for (const r of rows) {
    const c = r.redactedBy ? {} : r.event.pdu.content;
    const info: JsonObject = {};
    if (typeof c["displayname"] === "string") info["display_name"] = c["displayname"];
    if (typeof c["avatar_url"] === "string") info["avatar_url"] = c["avatar_url"];
    if (r.event.pdu.state_key !== undefined) joined[r.event.pdu.state_key] = info;
  }
  return { json: { joined } };
};
