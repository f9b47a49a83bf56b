// The first recursive read_relations a widget made, remembered per widget (room, widget id, origin:
// capability-approvals.ts's key) in the page's storage, so that the next time the agent opens it
// the client can start that read at once, while the frame loads (recursive-relations.ts:
// speculate), instead of when the widget asks. Only the query is kept (ids and paging
// parameters), never events. A damaged or foreign value reads as no hint.
import type { KeyValueStorage } from "../dossiers/stored-list.ts";

export interface PageQuery {
  eventId: string; roomId: string | undefined; relType: string | undefined; eventType: string | undefined;
  from: string | undefined; to: string | undefined; limit: number | undefined; direction: "f" | "b" | undefined;
}

export interface FirstReadHint {
  load(): PageQuery | undefined;
  save(q: PageQuery): void;
}

const opt = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A query read back from storage, or undefined if it is not one. */
export function parseQuery(text: string | null): PageQuery | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text ?? "null");
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r["eventId"] !== "string" || r["eventId"] === "") return undefined;
  const limit = typeof r["limit"] === "number" && Number.isInteger(r["limit"]) && r["limit"] >= 0 ? r["limit"] : undefined;
  const direction = r["direction"] === "f" || r["direction"] === "b" ? r["direction"] : undefined;
  return { eventId: r["eventId"], roomId: opt(r["roomId"]), relType: opt(r["relType"]), eventType: opt(r["eventType"]), from: opt(r["from"]), to: opt(r["to"]), limit, direction };
}

/** The hint of one widget (`key`: capability-approvals.ts's approvalKey); storage failures are ignored (a hint is an optimisation). */
export function storedFirstReadHint(storage: KeyValueStorage | undefined, key: string): FirstReadHint {
  const k = `entente.widget-first-read.${key}`;
  return {
    load: () => {
      try {
        return parseQuery(storage?.getItem(k) ?? null);
      } catch {
        return undefined;
      }
    },
    save: (q) => {
      try {
        storage?.setItem(k, JSON.stringify(q));
      } catch {
        // full or refused storage: no hint next time
      }
    },
  };
}
