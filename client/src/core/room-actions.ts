// Creating working groups (spaces) and rooms, inviting across councils. A room made inside a
// space is joinable by the space's members (join rule "restricted", spec: Restricted rooms) and
// linked both ways (m.space.child in the space, m.space.parent in the room).
import { EventType, Preset, Visibility, type ICreateRoomStateEvent, type MatrixClient } from "matrix-js-sdk";
import type { NewRoom } from "./chat-port.ts";
import { uploadImage } from "./room-profile-sdk.ts";
import { sendStateAny } from "./sdk-untyped.ts";

const serverOf = (id: string): string => id.slice(id.indexOf(":") + 1);

export async function createSpace(client: MatrixClient, name: string): Promise<string> {
  const { room_id } = await client.createRoom({
    name, preset: Preset.PrivateChat, visibility: Visibility.Private,
    creation_content: { type: "m.space" },
    initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } }],
  });
  return room_id;
}

export async function createRoom(client: MatrixClient, r: NewRoom): Promise<string> {
  const initial: ICreateRoomStateEvent[] = [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } }];
  if (r.avatar !== undefined) {
    const { url, info } = await uploadImage(client, r.avatar, r.avatar.name);
    initial.push({ type: "m.room.avatar", state_key: "", content: { url, info } });
  }
  if (r.encrypted) initial.push({ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } });
  if (r.spaceId !== undefined) {
    const via = [serverOf(r.spaceId)];
    initial.push({ type: "m.space.parent", state_key: r.spaceId, content: { via, canonical: true } });
    if (r.isPublic !== true) initial.push({ type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: r.spaceId }] } });
  }
  if (r.isPublic === true) initial.push({ type: "m.room.join_rules", state_key: "", content: { join_rule: "public" } });
  const { room_id } = await client.createRoom({
    name: r.name, ...(r.topic !== "" ? { topic: r.topic } : {}), preset: Preset.PrivateChat, visibility: Visibility.Private, initial_state: initial,
  });
  if (r.spaceId !== undefined) await sendStateAny(client, r.spaceId, "m.space.child", { via: [serverOf(room_id)] }, room_id);
  return room_id;
}

/** Matrix user ids as the spec writes them: @localpart:server (the server may carry a port). */
export const USER_ID = /^@[^\s:@]+:[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * A direct chat with `userId`: the joined room m.direct already lists for them, else a new one
 * (trusted private chat, encrypted, the person invited with is_direct), added to m.direct so every
 * client of the agent shows it among direct messages.
 */
export async function createDirect(client: MatrixClient, userId: string): Promise<string> {
  const directs = (): Record<string, string[] | undefined> => ({ ...((client.getAccountData(EventType.Direct)?.getContent() ?? {}) as Record<string, string[] | undefined>) });
  const direct = directs();
  const known = (direct[userId] ?? []).find((id) => client.getRoom(id)?.getMyMembership() === "join");
  if (known !== undefined) return known;
  const { room_id } = await client.createRoom({
    preset: Preset.TrustedPrivateChat, visibility: Visibility.Private, is_direct: true, invite: [userId],
    initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
  });
  const latest = directs();
  latest[userId] = [...(latest[userId] ?? []).filter((id) => id !== room_id), room_id];
  await client.setAccountData(EventType.Direct, latest as Record<string, string[]>);
  return room_id;
}

/** Invites to a room; when the room belongs to a space the person is not in yet, to the space too. */
export async function inviteAcross(client: MatrixClient, roomId: string, userId: string): Promise<void> {
  const room = client.getRoom(roomId);
  const parents = room?.currentState.getStateEvents("m.space.parent") ?? [];
  for (const p of parents) {
    const spaceId = p.getStateKey();
    const space = spaceId !== undefined ? client.getRoom(spaceId) : null;
    if (space === null || space === undefined || space.getMyMembership() !== "join") continue;
    const m = space.getMember(userId)?.membership;
    if (m !== "join" && m !== "invite") await client.invite(space.roomId, userId);
  }
  await client.invite(roomId, userId);
}
