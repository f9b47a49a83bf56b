// "Checks performed on receipt of a PDU", step 2: the event must be signed by the sender's server
// (and, for restricted joins, by the authorising user's server).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#validating-hashes-and-signatures-on-received-events
import type { Pdu } from "../../../room/pdu.ts";
import type { RoomVersion } from "../../../room/room-versions.ts";
import { verifyEventSignature } from "../../../room/sign-event.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import type { KeyRing } from "../keys/key-ring.ts";

export function requiredSigners(pdu: Pdu): string[] {
  const servers = new Set<string>();
  const sender = serverNameOf(pdu.sender);
  if (sender) servers.add(sender);
  const via = pdu.type === "m.room.member" && pdu.content["membership"] === "join" ? pdu.content["join_authorised_via_users_server"] : undefined;
  if (typeof via === "string") {
    const s = serverNameOf(via);
    if (s) servers.add(s);
  }
  return [...servers];
}

/** Undefined when every required server signed the event with a key valid at its timestamp. */
export async function checkPduSignatures(pdu: Pdu, version: RoomVersion, keyRing: KeyRing): Promise<string | undefined> {
  for (const server of requiredSigners(pdu)) {
    const sigs = pdu.signatures[server];
    if (!sigs || typeof sigs !== "object") return `no signature from ${server}`;
    let ok = false;
    for (const keyId of Object.keys(sigs)) {
      if (!keyId.startsWith("ed25519:")) continue;
      const key = await keyRing.getVerifyKey(server, keyId, pdu.origin_server_ts).catch(() => undefined);
      if (key && verifyEventSignature(pdu, version, server, keyId, key)) {
        ok = true;
        break;
      }
    }
    if (!ok) return `bad or unverifiable signature from ${server}`;
  }
  return undefined;
}
