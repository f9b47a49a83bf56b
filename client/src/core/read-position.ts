// Where reading stands in a loaded timeline: whose receipt sits under which message, and the first
// message I have not read yet ("jump to the first unread"). Pure; event ids in timeline order.
export interface Placed { eventId: string; sender: string }

/**
 * Each reader goes under the last shown message at or before the event they read up to (receipts
 * often point at reactions or state, which are not shown). Readers whose event is not loaded are
 * left out: where they stand is unknown here.
 */
export function receiptsOnMessages(order: readonly string[], shown: ReadonlySet<string>, readUpTo: readonly (readonly [string, string])[]): Map<string, string[]> {
  const index = new Map(order.map((id, i) => [id, i]));
  const out = new Map<string, string[]>();
  for (const [userId, eventId] of readUpTo) {
    let i = index.get(eventId);
    if (i === undefined) continue;
    while (i >= 0 && !shown.has(order[i] ?? "")) i--;
    const at = order[i];
    if (i < 0 || at === undefined) continue;
    out.set(at, [...(out.get(at) ?? []), userId]);
  }
  return out;
}

/**
 * The first shown message from someone else after my read position. When my position is older than
 * what is loaded but the server counts unread messages, the oldest loaded one (more is one "older
 * messages" away); undefined when nothing is unread.
 */
export function firstUnread(order: readonly Placed[], shown: ReadonlySet<string>, readUpTo: string | undefined, me: string, unreadCount: number): string | undefined {
  const at = readUpTo === undefined ? -1 : order.findIndex((e) => e.eventId === readUpTo);
  if (at < 0 && unreadCount === 0) return undefined;
  for (let i = at + 1; i < order.length; i++) {
    const e = order[i];
    if (e !== undefined && e.sender !== me && shown.has(e.eventId)) return e.eventId;
  }
  return undefined;
}
