// Sync tokens: `s<events>_<accountData>_<receipts>_<typing>_<deviceLists>_<toDevice>_<presence>`, one stream
// position per stream. Event, account-data, receipt and device-list positions come from database
// sequences; typing is ephemeral; the to-device position is the e2ee stream head (e2ee-store.ts).
import { MatrixError } from "../../spec/matrix-error.ts";

export interface SyncPosition {
  events: number;
  accountData: number;
  receipts: number;
  typing: number;
  deviceLists: number;
  toDevice: number;
  presence: number;
}

export const formatSyncToken = (p: SyncPosition): string =>
  `s${p.events}_${p.accountData}_${p.receipts}_${p.typing}_${p.deviceLists}_${p.toDevice}_${p.presence}`;

export function parseSyncToken(token: string): SyncPosition {
  // tokens from before the presence stream (6 parts) stay valid: presence starts over
  const m = /^s(\d{1,15})_(\d{1,15})_(\d{1,15})_(\d{1,15})_(\d{1,15})_(\d{1,15})(?:_(\d{1,15}))?$/.exec(token);
  if (!m) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid 'since' token");
  return {
    events: Number(m[1]), accountData: Number(m[2]), receipts: Number(m[3]), typing: Number(m[4]),
    deviceLists: Number(m[5]), toDevice: Number(m[6]), presence: Number(m[7] ?? 0),
  };
}
