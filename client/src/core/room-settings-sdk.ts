// Room settings read from and written to matrix-js-sdk's room state; the decisions (roles, who may
// change what, the join rule contents) are in room-settings-model.ts.
import type { MatrixClient, Room } from "matrix-js-sdk";
import {
  canBan, canKick, canSetLevel, canUnban, joinRuleContent, levelOf, parsePowerLevels, privilegedCreators, sortMembers, stateLevel, withUserLevel,
  type BannedMember, type JoinRuleChoice, type MemberInfo, type RoomSettings,
} from "./room-settings-model.ts";
import { isRecord, str } from "./raw-event.ts";
import { sendStateAny } from "./sdk-untyped.ts";

const stateContent = (room: Room, type: string): Record<string, unknown> => {
  const c: unknown = room.currentState.getStateEvents(type, "")?.getContent();
  return isRecord(c) ? c : {};
};

function powerLevels(room: Room): ReturnType<typeof parsePowerLevels> {
  const create = room.currentState.getStateEvents("m.room.create", "");
  const creators = privilegedCreators(create === null ? undefined : { sender: create.getSender() ?? "", content: create.getContent() });
  return parsePowerLevels(stateContent(room, "m.room.power_levels"), creators);
}

export function readRoomSettings(client: MatrixClient, roomId: string): RoomSettings | undefined {
  const room = client.getRoom(roomId);
  if (room === null) return undefined;
  const me = client.getSafeUserId();
  const pl = powerLevels(room);
  const join = stateContent(room, "m.room.join_rules");
  const allow = Array.isArray(join["allow"]) ? join["allow"].filter(isRecord).flatMap((a) => str(a["room_id"]) ?? []) : [];
  const parents = room.currentState.getStateEvents("m.space.parent").flatMap((e) => {
    const id = e.getStateKey();
    return id !== undefined && id !== "" && Array.isArray(e.getContent()["via"]) ? [{ roomId: id, name: client.getRoom(id)?.name ?? id }] : [];
  });
  const members: MemberInfo[] = room.getMembers().flatMap((m) =>
    m.membership === "join" || m.membership === "invite"
      ? [{ userId: m.userId, name: m.name, powerLevel: levelOf(pl, m.userId), membership: m.membership, canKick: canKick(pl, me, m.userId), canBan: canBan(pl, me, m.userId) }]
      : []);
  const banned: BannedMember[] = room.getMembersWithMembership("ban").map((m) => ({
    userId: m.userId, name: m.name, reason: str(m.events.member?.getContent()["reason"]) ?? "", canUnban: canUnban(pl, me, m.userId),
  }));
  const myLevel = levelOf(pl, me);
  return {
    roomId, name: room.name, topic: str(stateContent(room, "m.room.topic")["topic"]) ?? "",
    encrypted: room.hasEncryptionStateEvent(), joinRule: str(join["join_rule"]) ?? "invite", allowSpaces: allow,
    parentSpaces: parents, members: sortMembers(members), banned, myLevel,
    avatarUrl: str(stateContent(room, "m.room.avatar")["url"]),
    canChangeName: myLevel >= stateLevel(pl, "m.room.name"),
    canChangeTopic: myLevel >= stateLevel(pl, "m.room.topic"),
    canChangeAvatar: myLevel >= stateLevel(pl, "m.room.avatar"),
    canInvite: myLevel >= pl.invite,
    canChangeJoinRule: myLevel >= stateLevel(pl, "m.room.join_rules"),
    canChangeRoles: myLevel >= stateLevel(pl, "m.room.power_levels"),
  };
}

export async function setJoinRule(client: MatrixClient, roomId: string, rule: JoinRuleChoice): Promise<void> {
  const room = client.getRoom(roomId);
  if (room === null) throw new Error(`unknown room ${roomId}`);
  // "Members of the space": the spaces this room declares as parents.
  const spaces = rule === "restricted" ? room.currentState.getStateEvents("m.space.parent").flatMap((e) => e.getStateKey() ?? []).filter((id) => id !== "") : [];
  await sendStateAny(client, roomId, "m.room.join_rules", joinRuleContent(rule, spaces), "");
}

export async function setUserLevel(client: MatrixClient, roomId: string, userId: string, level: number): Promise<void> {
  const room = client.getRoom(roomId);
  if (room === null) throw new Error(`unknown room ${roomId}`);
  const pl = powerLevels(room);
  if (!canSetLevel(pl, client.getSafeUserId(), userId, level)) throw new Error("not allowed to change this role");
  await sendStateAny(client, roomId, "m.room.power_levels", withUserLevel(stateContent(room, "m.room.power_levels"), userId, level), "");
}
