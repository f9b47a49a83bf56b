// next_batch tokens of POST /search: opaque to clients, base64url of a small JSON document holding
// the order, the keyset cursor (last hit's rank key and stream position) and, for a group's
// next_batch, the room or sender the group stands for. Parsed strictly: M_INVALID_PARAM otherwise.
import { MatrixError } from "../../../spec/matrix-error.ts";
import type { SearchCursor } from "../../../storage/search-store.ts";
import type { GroupKey } from "./search-request.ts";

export interface SearchToken {
  order: "rank" | "recent";
  cursor: SearchCursor;
  /** Restricts the search to one group (a group's next_batch). */
  group?: { key: GroupKey; value: string } | undefined;
}

const bad = (): MatrixError => new MatrixError("M_INVALID_PARAM", 400, "Invalid 'next_batch' token");
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

export function formatSearchToken(t: SearchToken): string {
  const doc: Record<string, unknown> = { o: t.order, s: t.cursor.stream };
  if (t.cursor.rankKey !== undefined) doc["k"] = t.cursor.rankKey;
  if (t.group) doc["g"] = [t.group.key, t.group.value];
  return Buffer.from(JSON.stringify(doc), "utf8").toString("base64url");
}

export function parseSearchToken(raw: string): SearchToken {
  if (raw.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad();
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw bad();
  const o = doc as Record<string, unknown>;
  const order = o["o"];
  if ((order !== "rank" && order !== "recent") || !isInt(o["s"])) throw bad();
  const k = o["k"];
  if (k !== undefined && !isInt(k)) throw bad();
  if (order === "rank" && k === undefined) throw bad();
  const token: SearchToken = { order, cursor: { stream: o["s"], rankKey: k } };
  const g = o["g"];
  if (g !== undefined) {
    if (!Array.isArray(g) || g.length !== 2 || (g[0] !== "room_id" && g[0] !== "sender") || typeof g[1] !== "string") throw bad();
    token.group = { key: g[0], value: g[1] };
  }
  return token;
}
