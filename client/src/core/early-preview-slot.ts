// Where early-preview.ts leaves the room-list /sync it started for main.ts to pick up.
import type { RoomSummary } from "./room-list-model.ts";
import type { Session } from "./sign-in.ts";

export const EARLY_PREVIEW_KEY = "__ententeEarlyPreview";
export interface EarlyPreview { session: Session; rooms: Promise<RoomSummary[] | undefined> }
export type EarlyPreviewHolder = { [EARLY_PREVIEW_KEY]?: EarlyPreview };

/** The early /sync if it was started for this very session (same user and token). */
export function takeEarlyPreview(holder: EarlyPreviewHolder, s: Session): Promise<RoomSummary[] | undefined> | undefined {
  const early = holder[EARLY_PREVIEW_KEY];
  delete holder[EARLY_PREVIEW_KEY];
  return early !== undefined && early.session.userId === s.userId && early.session.accessToken === s.accessToken ? early.rooms : undefined;
}
