// make_join / send_join (v1, v2), make_leave / send_leave (v1, v2), invite (v2): the resident side.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#joining-rooms
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { JsonObject, Pdu, RoomEvent, StateKey } from "../../../room/pdu.ts";
import { stateKeyOf } from "../../../room/pdu.ts";
import { authEventTypes } from "../../../room/auth/auth-event-types.ts";
import { checkAuth } from "../../../room/auth/check-auth.ts";
import { authChain } from "../../../room/auth-chain.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import { bodyObject } from "../json.ts";
import { checkAcl, fed, residentRoom } from "./common.ts";
import { checkReceivedPdu } from "../../federation/inbound/event-fetcher.ts";
import { joinAuthoriser } from "../../rooms/restricted-join.ts";
import { currentStrippedState } from "../../rooms/client-event.ts";
import { addEventSignature } from "../../../room/sign-event.ts";
import { serversInRoom } from "../../federation/inbound/room-servers.ts";


async function template(s: ServerContext, ctx: Parameters<Handler>[0], membership: "join" | "leave" | "knock"): Promise<{ json: unknown }> {
  const { origin } = await fed(s).authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  const userId = ctx.params["userId"] ?? "";
  if (serverNameOf(userId) !== origin) throw new MatrixError("M_FORBIDDEN", 403, "The user is not on the calling server");
  const { version, stateGroup } = await residentRoom(s, roomId);
  await checkAcl(s, roomId, origin);
  if (membership !== "leave") {
    const supported = ctx.query.getAll("ver");
    if (!supported.includes(version.id) && !(version.id === "1" && supported.length === 0)) {
      throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", 400, `Room version ${version.id} is not supported by ${origin}`, { room_version: version.id });
    }
  }
  const state = await s.stores.events.stateMapOfGroup(stateGroup);
  const prevs = (await s.stores.events.forwardExtremities(roomId)).slice(0, 10);
  const prevRows = await s.stores.events.getEvents(prevs);
  const pdu: Pdu = {
    type: "m.room.member", state_key: userId, sender: userId, room_id: roomId, content: { membership },
    origin_server_ts: s.clock.now(), depth: Math.max(0, ...[...prevRows.values()].map((r) => r.event.pdu.depth)) + 1,
    prev_events: prevs, auth_events: [], hashes: { sha256: "" }, signatures: {},
  };
  const authoriser = membership === "join" ? await joinAuthoriser({ events: s.stores.events, rooms: s.stores.rooms, serverName: s.serverName }, version, state, userId) : undefined;
  if (authoriser) pdu.content["join_authorised_via_users_server"] = authoriser;
  pdu.auth_events = authEventTypes(pdu, version).map((k) => state.get(k)).filter((x): x is string => x !== undefined);
  // the authorising server (us) signs at send_join; the auth rules only look for its signature
  const probe = authoriser ? { ...pdu, signatures: { [s.serverName]: { "ed25519:template": "" } } } : pdu;
  const verdict = checkAuth({ eventId: "$template", pdu: probe }, await authMap(s, state, pdu, version.roomIdFromCreate ? roomId : undefined), version);
  if (!verdict.allowed) throw new MatrixError("M_FORBIDDEN", 403, `You are not allowed to ${membership} this room: ${verdict.reason}`);
  const { hashes: _h, signatures: _s, ...event } = pdu;
  return { json: { room_version: version.id, event } };
}

const isPduLike = (o: JsonObject): o is JsonObject & Pdu =>
  typeof o["type"] === "string" && typeof o["sender"] === "string" && typeof o["hashes"] === "object" && typeof o["signatures"] === "object";

async function authMap(s: ServerContext, state: ReadonlyMap<StateKey, string>, pdu: Pdu, v12RoomId: string | undefined): Promise<Map<StateKey, RoomEvent>> {
  const ids = [...pdu.auth_events, state.get(stateKeyOf("m.room.create", "")) ?? (v12RoomId ? "$" + v12RoomId.slice(1) : "")];
  const rows = await s.stores.events.getEvents(ids.filter(Boolean));
  const map = new Map<StateKey, RoomEvent>();
  for (const r of rows.values()) if (r.event.pdu.state_key !== undefined) map.set(stateKeyOf(r.event.pdu.type, r.event.pdu.state_key), r.event);
  return map;
}

export const makeJoin = (s: ServerContext): Handler => (ctx) => template(s, ctx, "join");
export const makeLeave = (s: ServerContext): Handler => (ctx) => template(s, ctx, "leave");
export const makeKnock = (s: ServerContext): Handler => (ctx) => template(s, ctx, "knock");

/** Accepts a signed membership event from the joining/leaving server and fans it out. */
async function acceptMembership(s: ServerContext, ctx: Parameters<Handler>[0], membership: string): Promise<{ event: RoomEvent; origin: string; stateBefore: ReadonlyMap<StateKey, string> }> {
  const f = fed(s);
  const { origin } = await f.authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  const { version } = await residentRoom(s, roomId);
  await checkAcl(s, roomId, origin);
  // a restricted join we authorise gets our signature before the checks (they require it)
  const raw = bodyObject(ctx.body);
  const content = raw["content"];
  const via = content && typeof content === "object" && !Array.isArray(content) ? content["join_authorised_via_users_server"] : undefined;
  const body = typeof via === "string" && serverNameOf(via) === s.serverName && isPduLike(raw) ? addEventSignature(raw, version, s.serverName, s.signingKey) : raw;
  const checked = await checkReceivedPdu(body, version, f.keyRing);
  if ("error" in checked) throw new MatrixError("M_BAD_JSON", 400, `Invalid event: ${checked.error}`);
  const { event } = checked;
  const p = event.pdu;
  if (event.eventId !== ctx.params["eventId"] || p.room_id !== roomId) throw new MatrixError("M_INVALID_PARAM", 400, "Event id or room id does not match the path");
  if (p.type !== "m.room.member" || p.content["membership"] !== membership || p.state_key !== p.sender || serverNameOf(p.sender) !== origin) {
    throw new MatrixError("M_BAD_JSON", 400, `Not a ${membership} event of a user of ${origin}`);
  }
  await s.roomLock.run(roomId, () => f.input.process(origin, roomId, version, event, 0));
  const row = await s.stores.events.getEvent(event.eventId);
  if (!row || row.rejected || row.softFailed) throw new MatrixError("M_FORBIDDEN", 403, `The ${membership} was refused by the room's rules${row?.rejected ? `: ${row.rejected}` : ""}`);
  const before = await f.input.stateBeforeFromPrevs(event, version);
  // The resident server tells every other server in the room (the sender already has it).
  const others = [...(await serversInRoom(s.stores.rooms, roomId))].filter((d) => d !== origin);
  await f.sender.enqueuePdu(others, event.pdu);
  return { event, origin, stateBefore: before?.state ?? new Map() };
}

async function joinResponse(s: ServerContext, ctx: Parameters<Handler>[0]): Promise<JsonObject> {
  const { event, stateBefore } = await acceptMembership(s, ctx, "join");
  const stateIds = [...stateBefore.values()];
  const inState = new Set(stateIds);
  const chain = await authChain([...stateIds, event.eventId], { getEvent: async (id) => (await s.stores.events.getEvent(id))?.event });
  const rows = await s.stores.events.getEvents([...new Set([...stateIds, ...chain])]);
  const pdus = (ids: Iterable<string>): Pdu[] => [...ids].map((id) => rows.get(id)?.event.pdu).filter((p): p is Pdu => p !== undefined);
  const servers = [...(await serversInRoom(s.stores.rooms, event.pdu.room_id ?? ""))];
  return { origin: s.serverName, state: pdus(stateIds), auth_chain: pdus([...chain].filter((id) => !inState.has(id))), event: event.pdu, members_omitted: false, servers_in_room: servers } as unknown as JsonObject;
}

export const sendJoinV2 = (s: ServerContext): Handler => async (ctx) => ({ json: await joinResponse(s, ctx) });
export const sendJoinV1 = (s: ServerContext): Handler => async (ctx) => ({ json: [200, await joinResponse(s, ctx)] });
export const sendLeaveV2 = (s: ServerContext): Handler => async (ctx) => {
  await acceptMembership(s, ctx, "leave");
  return { json: {} };
};
export const sendLeaveV1 = (s: ServerContext): Handler => async (ctx) => {
  await acceptMembership(s, ctx, "leave");
  return { json: [200, {}] };
};

/**
 * PUT /_matrix/federation/v1/send_knock: the knock is accepted and the room's stripped state returned,
 * under the spec's name and under knock_state_events, the MSC2403 name older servers still read.
 */
export const sendKnock = (s: ServerContext): Handler => async (ctx) => {
  const { event } = await acceptMembership(s, ctx, "knock");
  const roomId = event.pdu.room_id ?? "";
  const stripped = await currentStrippedState(s.stores, roomId);
  return { json: { knock_room_state: stripped, knock_state_events: stripped } };
};

export const inviteV2 = (s: ServerContext): Handler => async (ctx) => {
  const f = fed(s);
  const { origin } = await f.authenticate(ctx);
  const signed = await f.membership.receiveInvite(origin, ctx.params["roomId"] ?? "", ctx.params["eventId"] ?? "", bodyObject(ctx.body));
  return { json: { event: signed } };
};

