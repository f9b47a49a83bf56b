// An agent registered on a test homeserver with an empty encrypted dossier of their own inside a
// workspace (space): what the one-server dossier harnesses (Chromium, Firefox) start from.
import { registerUser } from "./homeserver.ts";

export interface AgentDossier {
  me: { userId: string; accessToken: string; deviceId: string };
  roomId: string;
  /** The session the web client keeps in localStorage `entente.session`. */
  session: string;
}

export async function agentWithDossier(hsUrl: string, title: string, space = "Espace"): Promise<AgentDossier> {
  const me = await registerUser(hsUrl, "agent");
  const call = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${hsUrl}/_matrix/client/v3${path}`, { method: path.includes("/state/") ? "PUT" : "POST", headers: { Authorization: `Bearer ${me.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const spaceId = String((await call("/createRoom", { name: space, preset: "private_chat", creation_content: { type: "m.space" } }))["room_id"]);
  const roomId = String((await call("/createRoom", {
    name: title, preset: "private_chat", creation_content: { type: "fr.entente.dossier" },
    initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
  }))["room_id"]);
  await call(`/rooms/${encodeURIComponent(spaceId)}/state/m.space.child/${encodeURIComponent(roomId)}`, { via: [new URL(hsUrl).hostname] });
  const session = JSON.stringify({ baseUrl: hsUrl, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
  return { me, roomId, session };
}
