// A dossier's members and their removal, through matrix-js-sdk. Removing is a kick (spec auth
// rules checked here first, by the server again). The room key changes by itself: the SDK's Rust
// crypto starts a new Megolm session for the next message once a member has left, so what is sent
// after cannot be read by them (tests/e2e/dossier-key-rotation.test.ts); what was sent before
// stays readable to them, which the view says.
import type { MatrixClient } from "matrix-js-sdk";
import { moderate } from "../room-profile-sdk.ts";
import { canKick, parsePowerLevels, privilegedCreators } from "../room-settings-model.ts";
import { isRecord } from "../raw-event.ts";
import type { DossierMember } from "./dossier-members.ts";

export function dossierMembers(client: MatrixClient, roomId: string): DossierMember[] {
  const room = client.getRoom(roomId);
  if (room === null) return [];
  const create = room.currentState.getStateEvents("m.room.create", "");
  const plContent: unknown = room.currentState.getStateEvents("m.room.power_levels", "")?.getContent();
  const pl = parsePowerLevels(isRecord(plContent) ? plContent : {}, privilegedCreators(create === null ? undefined : { sender: create.getSender() ?? "", content: create.getContent() }));
  const me = client.getSafeUserId();
  return room.getMembers()
    .filter((m) => m.membership === "join" || m.membership === "invite")
    .map((m) => ({ userId: m.userId, name: m.name, membership: m.membership === "join" ? "join" as const : "invite" as const, removable: canKick(pl, me, m.userId) }))
    .sort((a, b) => a.name.localeCompare(b.name, "fr"));
}

export function removeDossierMember(client: MatrixClient, roomId: string, userId: string): Promise<void> {
  return moderate(client, roomId, { kind: "kick", userId, reason: "" });
}
