// The relation an event declares in `content["m.relates_to"]`, as indexed in storage (relations,
// threads, edits, bundled aggregations). Derived from the PDU alone so that every persist path —
// local sends, federation input, backfill, outliers later placed in the DAG — indexes alike.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#forming-relationships-between-events
import type { Pdu } from "./pdu.ts";

export interface EventRelation {
  /** The parent event. */
  eventId: string;
  relType: string;
  /** The thread root, for m.thread relations. */
  threadId?: string;
}

/** Ids are bounded in the spec (255 bytes); longer values cannot name a real event. */
const MAX_ID_LENGTH = 255;

export function relationOf(pdu: Pick<Pdu, "content">): EventRelation | undefined {
  const rel = pdu.content["m.relates_to"];
  if (!rel || typeof rel !== "object" || Array.isArray(rel)) return undefined;
  const eventId = rel["event_id"];
  const relType = rel["rel_type"];
  if (typeof eventId !== "string" || typeof relType !== "string") return undefined;
  if (eventId.length === 0 || eventId.length > MAX_ID_LENGTH || relType.length === 0 || relType.length > MAX_ID_LENGTH) return undefined;
  // nor can a NUL (and PostgreSQL could not index it): the event is stored, just not as a relation
  if (eventId.includes("\u0000") || relType.includes("\u0000")) return undefined;
  return relType === "m.thread" ? { eventId, relType, threadId: eventId } : { eventId, relType };
}
