// Which thread an event counts in for notifications: the root of its m.thread relation, else the
// thread of the event it relates to (reactions, edits... of a threaded event), at most 3 hops
// away as the spec recommends, else "main". Pure except for the injected lookup.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#receiving-notifications
const MAX_HOPS = 3;

const relation = (content: unknown): { relType: unknown; eventId: string } | undefined => {
  if (typeof content !== "object" || content === null) return undefined;
  const rel = (content as Record<string, unknown>)["m.relates_to"];
  if (typeof rel !== "object" || rel === null) return undefined;
  const r = rel as Record<string, unknown>;
  return typeof r["event_id"] === "string" ? { relType: r["rel_type"], eventId: r["event_id"] } : undefined;
};

export async function threadOf(content: unknown, contentOf: (eventId: string) => Promise<unknown>): Promise<string> {
  let c = content;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const rel = relation(c);
    if (!rel) return "main";
    if (rel.relType === "m.thread") return rel.eventId;
    if (hop === MAX_HOPS) break;
    c = await contentOf(rel.eventId);
  }
  return "main";
}
