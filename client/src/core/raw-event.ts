// The client's own view of a timeline event: plain data, so the timeline and room-list folds are
// pure and testable without matrix-js-sdk. The adapter (matrix-session.ts) fills these from
// MatrixEvent with the decrypted type and content already in place.
export interface RawEvent {
  eventId: string;
  type: string;
  sender: string;
  ts: number;
  content: Record<string, unknown>;
  stateKey?: string;
  /** Redacted by a later m.room.redaction (content is then empty). */
  redacted?: boolean;
  /** Encrypted and not decryptable (yet): the key has not arrived. */
  undecryptable?: boolean;
  /** Local echo state: "sending" until the server answered, "queued" while the server cannot be
   *  reached (sent automatically when it is back), "failed" if the server refused it. */
  status?: "sending" | "queued" | "failed";
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export interface Relation {
  relType: string | undefined;
  eventId: string | undefined;
  key: string | undefined;
  inReplyTo: string | undefined;
  isFallingBack: boolean;
}

/** The m.relates_to block of an event, parsed defensively: remote content is untrusted. */
export function relationOf(content: Record<string, unknown>): Relation {
  const r = content["m.relates_to"];
  if (!isRecord(r)) return { relType: undefined, eventId: undefined, key: undefined, inReplyTo: undefined, isFallingBack: false };
  const reply = r["m.in_reply_to"];
  return {
    relType: str(r["rel_type"]),
    eventId: str(r["event_id"]),
    key: str(r["key"]),
    inReplyTo: isRecord(reply) ? str(reply["event_id"]) : undefined,
    isFallingBack: r["is_falling_back"] === true,
  };
}
