// Content of a bot answer: a notice in the thread of the command (m.thread relation), rooted at
// the command itself or at the thread the command was typed in, with the reply fallback clients
// without threads use (spec v1.16 §Threading: is_falling_back + m.in_reply_to), and explicit
// mentions (m.mentions) so the named users are notified.
// https://spec.matrix.org/v1.16/client-server-api/#threading

export interface ThreadTarget {
  /** The event answered (the command). */
  eventId: string;
  /** The thread root when the command was itself in a thread. */
  threadRoot?: string | undefined;
}

/** The thread root of an event's content, if it is in a thread. */
export function threadRootOf(content: Record<string, unknown>): string | undefined {
  const rel = content["m.relates_to"];
  if (typeof rel !== "object" || rel === null) return undefined;
  const r = rel as Record<string, unknown>;
  return r["rel_type"] === "m.thread" && typeof r["event_id"] === "string" ? r["event_id"] : undefined;
}

export function threadReply(to: ThreadTarget, body: string, mentions: readonly string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    msgtype: "m.notice",
    body,
    ...extra,
    "m.mentions": { user_ids: [...new Set(mentions)] },
    "m.relates_to": { rel_type: "m.thread", event_id: to.threadRoot ?? to.eventId, is_falling_back: true, "m.in_reply_to": { event_id: to.eventId } },
  };
}
