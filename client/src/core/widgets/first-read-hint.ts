// The first recursive read_relations a widget made, remembered per user and widget (user id, then
// room, widget id, origin: capability-approvals.ts's key) in the page's storage, so that the next
// time the agent opens it the client can start that read at once, while the frame loads
// (recursive-relations.ts: speculate), instead of when the widget asks. Only the query is kept
// (ids and paging parameters), never events; nothing is written while the read at open is off
// (the default), and sign-out removes every hint (clearFirstReadHints). A damaged or foreign
// value reads as no hint.
import type { KeyValueStorage } from "../dossiers/stored-list.ts";
import { removeKeysWithPrefix, type ListableStorage } from "./prefixed-storage.ts";

export interface PageQuery {
  eventId: string; roomId: string | undefined; relType: string | undefined; eventType: string | undefined;
  from: string | undefined; to: string | undefined; limit: number | undefined; direction: "f" | "b" | undefined;
  /** The widget asked for lean events (widgets/kit/src/chunk-json.ts LEAN_EVENTS). */
  lean?: boolean;
}

export interface FirstReadHint {
  load(): PageQuery | undefined;
  save(q: PageQuery): void;
}

const opt = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The page storage key that turns the read at open on ("1"); off by default (see readAtOpen). */
export const READ_AT_OPEN_KEY = "entente.widget-read-at-open";

/**
 * Whether to start the remembered read at open. Off unless READ_AT_OPEN_KEY is "1": in the board
 * e2e bench (2 cores shared by Chromium and the homeserver, load 3-5) it made the frame's open
 * 544 -> 1,794 ms and the board 2.06 -> 3.48 s painted, the read competing with the frame for
 * the CPU and the client's main thread. It may pay where the homeserver is another machine
 * (what it was for: the server's time hidden behind the frame's); not measured there.
 */
export function readAtOpen(storage: KeyValueStorage | undefined): boolean {
  try {
    return storage?.getItem(READ_AT_OPEN_KEY) === "1";
  } catch {
    return false;
  }
}

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
  return {
    eventId: r["eventId"], roomId: opt(r["roomId"]), relType: opt(r["relType"]), eventType: opt(r["eventType"]), from: opt(r["from"]), to: opt(r["to"]), limit, direction,
    ...(r["lean"] === true ? { lean: true } : {}),
  };
}

const HINT_PREFIX = "entente.widget-first-read.";

/**
 * The hint of one widget for one user (`key`: capability-approvals.ts's approvalKey). Read and
 * written only while the read at open is on (readAtOpen); storage failures are ignored (a hint is
 * an optimisation).
 */
export function storedFirstReadHint(storage: KeyValueStorage | undefined, userId: string, key: string): FirstReadHint {
  const k = `${HINT_PREFIX}${userId}|${key}`;
  return {
    load: () => {
      try {
        return readAtOpen(storage) ? parseQuery(storage?.getItem(k) ?? null) : undefined;
      } catch {
        return undefined;
      }
    },
    save: (q) => {
      try {
        if (readAtOpen(storage)) storage?.setItem(k, JSON.stringify(q));
      } catch {
        // full or refused storage: no hint next time
      }
    },
  };
}

/** Removes every user's first-read hints (at sign-out: a shared council PC must not tell the next agent which rooms and lists were opened). */
export function clearFirstReadHints(storage: ListableStorage | undefined): void {
  removeKeysWithPrefix(storage, HINT_PREFIX);
}
