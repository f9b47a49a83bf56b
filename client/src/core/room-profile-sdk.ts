// A room's name, topic and image (m.room.name / m.room.topic / m.room.avatar), and member
// moderation (kick, ban, unban with a reason) through matrix-js-sdk. Who may do what is decided in
// room-settings-model.ts; the server enforces it again (auth rules).
import type { MatrixClient } from "matrix-js-sdk";
import { canBan, canKick, canUnban, levelOf, parsePowerLevels, privilegedCreators, roomProfileChange, type ModerationAction } from "./room-settings-model.ts";
import { isRecord } from "./raw-event.ts";
import { sendStateAny } from "./sdk-untyped.ts";

/** Uploads an image (plain: a room's image is public to its members, as in Element) and returns its mxc:// URL. */
export async function uploadImage(client: MatrixClient, file: Blob, name: string): Promise<{ url: string; info: Record<string, unknown> }> {
  const type = file.type || "application/octet-stream";
  if (!type.startsWith("image/")) throw new Error("not an image");
  const { content_uri } = await client.uploadContent(file, { name, type, includeFilename: true });
  return { url: content_uri, info: { mimetype: type, size: file.size } };
}

export async function setRoomProfile(client: MatrixClient, roomId: string, typed: { name: string; topic: string }): Promise<void> {
  const room = client.getRoom(roomId);
  if (room === null) throw new Error(`unknown room ${roomId}`);
  const topicNow = room.currentState.getStateEvents("m.room.topic", "")?.getContent()["topic"];
  const nameNow = room.currentState.getStateEvents("m.room.name", "")?.getContent()["name"];
  const change = roomProfileChange({ name: typeof nameNow === "string" ? nameNow : "", topic: typeof topicNow === "string" ? topicNow : "" }, typed);
  if (change.name !== undefined) await client.setRoomName(roomId, change.name);
  if (change.topic !== undefined) await client.setRoomTopic(roomId, change.topic);
}

export async function setRoomAvatar(client: MatrixClient, roomId: string, file: File): Promise<void> {
  const { url, info } = await uploadImage(client, file, file.name);
  await sendStateAny(client, roomId, "m.room.avatar", { url, info }, "");
}

export async function moderate(client: MatrixClient, roomId: string, a: ModerationAction): Promise<void> {
  const room = client.getRoom(roomId);
  if (room === null) throw new Error(`unknown room ${roomId}`);
  const create = room.currentState.getStateEvents("m.room.create", "");
  const plContent: unknown = room.currentState.getStateEvents("m.room.power_levels", "")?.getContent();
  const pl = parsePowerLevels(isRecord(plContent) ? plContent : {}, privilegedCreators(create === null ? undefined : { sender: create.getSender() ?? "", content: create.getContent() }));
  const me = client.getSafeUserId();
  const allowed = a.kind === "kick" ? canKick(pl, me, a.userId) : a.kind === "ban" ? canBan(pl, me, a.userId) : canUnban(pl, me, a.userId);
  if (!allowed) throw new Error(`not allowed (level ${levelOf(pl, me)})`);
  const reason = a.kind !== "unban" && a.reason.trim() !== "" ? a.reason.trim() : undefined;
  if (a.kind === "kick") await client.kick(roomId, a.userId, reason);
  else if (a.kind === "ban") await client.ban(roomId, a.userId, reason);
  else await client.unban(roomId, a.userId);
}
