// Which members' devices this client cannot vouch for: an identity I have not verified, devices their
// owner did not sign (a new device not yet verified with emoji or the recovery key). The settings
// flag them; verifying (SAS) is not built yet.
import type { MatrixClient } from "matrix-js-sdk";
import type { MemberTrust } from "./room-settings-model.ts";

export async function memberTrust(client: MatrixClient, userIds: readonly string[]): Promise<Map<string, MemberTrust>> {
  const crypto = client.getCrypto();
  const out = new Map<string, MemberTrust>();
  if (crypto === undefined || userIds.length === 0) return out;
  const devices = await crypto.getUserDeviceInfo([...userIds], true);
  for (const userId of userIds) {
    let unverifiedDevices = 0;
    for (const deviceId of devices.get(userId)?.keys() ?? []) {
      const status = await crypto.getDeviceVerificationStatus(userId, deviceId);
      if (status?.signedByOwner !== true) unverifiedDevices++;
    }
    const identity = await crypto.getUserVerificationStatus(userId);
    out.set(userId, { identityVerified: identity.isCrossSigningVerified(), unverifiedDevices });
  }
  return out;
}
