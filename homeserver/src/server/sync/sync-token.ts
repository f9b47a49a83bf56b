// Sync tokens: `s<events>_<accountData>_<receipts>_<typing>`, one stream position per stream.
// Event, account-data and receipt positions come from database sequences; typing is ephemeral.
import { MatrixError } from "../../spec/matrix-error.ts";

export interface SyncPosition {
  events: number;
  accountData: number;
  receipts: number;
  typing: number;
}

export const formatSyncToken = (p: SyncPosition): string => `s${p.events}_${p.accountData}_${p.receipts}_${p.typing}`;

export function parseSyncToken(token: string): SyncPosition {
  const m = /^s(\d{1,15})_(\d{1,15})_(\d{1,15})_(\d{1,15})$/.exec(token);
  if (!m) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid 'since' token");
  return { events: Number(m[1]), accountData: Number(m[2]), receipts: Number(m[3]), typing: Number(m[4]) };
}
