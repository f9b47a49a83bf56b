// Which unread messages mention the user: /sync's `highlight_count`. Mirrors the default
// highlighting push rules of v1.16: intentional mentions (`m.mentions`, v1.7) and, for events
// without `m.mentions` only, the legacy body rules (display name, localpart, "@room").
// Spec: https://spec.matrix.org/v1.16/client-server-api/#user-and-room-mentions
//       https://spec.matrix.org/v1.16/client-server-api/#default-override-rules
// Simplification: a room mention counts whatever the sender's `notifications.room` power level.
import type { JsonObject } from "../../room/pdu.ts";

export interface MentionTarget {
  userId: string;
  /** The user's display name in the room (or their global one). */
  displayname: string | undefined;
}

/** event_match on content.body matches at word boundaries: anything outside [A-Za-z0-9_]. */
function containsWord(body: string, word: string): boolean {
  if (word === "") return false;
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, "i").test(body);
}

const localpartOf = (userId: string): string => userId.slice(1, userId.includes(":") ? userId.indexOf(":") : undefined);

/** True when an event's (cleartext) content highlights the user. Encrypted content never does here. */
export function mentionsUser(type: string, content: JsonObject, target: MentionTarget): boolean {
  if (type === "m.room.encrypted") return false;
  const mentions = content["m.mentions"];
  if (mentions !== undefined) {
    if (typeof mentions !== "object" || mentions === null || Array.isArray(mentions)) return false;
    const userIds = mentions["user_ids"];
    return (Array.isArray(userIds) && userIds.includes(target.userId)) || mentions["room"] === true;
  }
  const body = content["body"];
  if (typeof body !== "string") return false;
  return (target.displayname !== undefined && containsWord(body, target.displayname))
    || containsWord(body, localpartOf(target.userId)) || containsWord(body, "@room");
}

export function countHighlights(events: readonly { type: string; content: JsonObject }[], target: MentionTarget): number {
  let n = 0;
  for (const e of events) if (mentionsUser(e.type, e.content, target)) n++;
  return n;
}
