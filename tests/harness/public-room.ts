// Two agents of one test homeserver sharing a public room: the usual start of the black-box
// client-server API suites that look at what one agent sees of the other's messages.
import { call, enc, type Session } from "./client-api.ts";
import { registerUser } from "./homeserver.ts";

/** Registers alice and bob on `url`; bob creates a public room and alice joins it. */
export async function aliceAndBobInPublicRoom(url: string): Promise<{ alice: Session; bob: Session; roomId: string }> {
  const alice = await registerUser(url, "alice");
  const bob = await registerUser(url, "bob");
  const { room_id: roomId } = await call<{ room_id: string }>(url, bob, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
  await call(url, alice, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
  return { alice, bob, roomId };
}
