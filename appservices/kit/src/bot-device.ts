// The bot user's one persistent device, created by the appservice itself without user-interactive
// auth: PUT /devices/{deviceId} with the as_token and ?user_id= (spec v1.17 appservice device
// management, https://spec.matrix.org/v1.17/application-service-api/#device-management). The
// call is idempotent (201 when created, 200 when it already exists), so it runs at every start.

export interface BotDeviceOptions {
  homeserverUrl: string;
  asToken: string;
  userId: string;
  deviceId: string;
  displayName: string;
}

/** The query that makes an as_token request act as `userId` on `deviceId` (device masquerading). */
export const masquerade = (userId: string, deviceId: string): Record<string, string> => ({ user_id: userId, device_id: deviceId });

export async function ensureBotDevice(o: BotDeviceOptions): Promise<"created" | "existing"> {
  const q = new URLSearchParams({ user_id: o.userId }).toString();
  const res = await fetch(`${o.homeserverUrl}/_matrix/client/v3/devices/${encodeURIComponent(o.deviceId)}?${q}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${o.asToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ display_name: o.displayName }),
  });
  if (res.status === 201) return "created";
  if (res.status === 200) return "existing";
  // A homeserver older than v1.17 answers 404/405 here: it cannot give a bot a device without UIA.
  throw new Error(`creating the bot device ${o.deviceId} of ${o.userId} failed: ${res.status} ${await res.text()}`);
}
