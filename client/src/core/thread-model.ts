// A thread as the side panel shows it: the root and its m.thread replies, from the events this
// client holds (the live timeline) merged with those fetched from /relations (a thread whose
// replies are older than what is loaded). Pure: the SDK side is thread-sdk.ts.
import type { RawEvent } from "./raw-event.ts";
import { buildThread, threadRootOf, type TimelineItem } from "./timeline-model.ts";

/** Union by event id (the live copy wins: it carries local echo and redaction state), oldest first. */
export function mergeThreadEvents(live: readonly RawEvent[], fetched: readonly RawEvent[]): RawEvent[] {
  const byId = new Map<string, RawEvent>();
  for (const e of fetched) byId.set(e.eventId, e);
  for (const e of live) byId.set(e.eventId, e);
  const order = new Map(live.map((e, i) => [e.eventId, i]));
  return [...byId.values()].sort((a, b) => a.ts - b.ts || (order.get(a.eventId) ?? -1) - (order.get(b.eventId) ?? -1) || (a.eventId < b.eventId ? -1 : 1));
}

/** The event a new thread reply falls back to (m.in_reply_to): the latest reply, else the root. */
export function lastInThread(events: readonly RawEvent[], rootId: string): string {
  let last: RawEvent | undefined;
  for (const e of events) {
    if (threadRootOf(e) !== rootId || e.status !== undefined) continue;
    if (last === undefined || e.ts >= last.ts) last = e;
  }
  return last?.eventId ?? rootId;
}

export interface ThreadView { root: TimelineItem | undefined; replies: TimelineItem[] }

/** The panel's content: the root (undefined until it is known) and the replies with day separators. */
export function threadView(events: readonly RawEvent[], me: string, rootId: string): ThreadView {
  const items = buildThread(events, me, rootId);
  const root = items.find((i) => i.kind === "message" && i.eventId === rootId);
  const rest = items.filter((i) => i !== root);
  // A day separator left with no message under it (the root's own day) goes too.
  const replies = rest.filter((i, n) => i.kind !== "day" || rest[n + 1]?.kind === "message");
  return { root, replies };
}
