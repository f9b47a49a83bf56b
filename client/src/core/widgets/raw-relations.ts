// A /relations page as the server sent it (its UTF-8 bytes) besides its parsed body, for a widget
// that reads a whole tree (the task board): our client passes the server's bytes on to the widget
// (widgets/kit/src/chunk-json.ts, CHUNK_PAGES) instead of JSON-encoding 10,000 parsed events
// again, which cost its main thread ~300 ms (JSON.stringify) + ~100 ms (TextEncoder.encodeInto)
// per 4 MB in Chromium 156 at load 13. Only where the server's events are what the widget gets:
// an unencrypted room (in an encrypted one the client decrypts each event first).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventid

export interface RawRelationsQuery {
  roomId: string; eventId: string; relType: string | undefined; eventType: string | undefined;
  from?: string | undefined; to?: string | undefined; limit?: number | undefined; dir: "f" | "b"; recurse: boolean;
  /** Ask our server for lean events (LEAN_RELATIONS_PARAM); others ignore it. */
  lean?: boolean | undefined;
}

/** Our homeserver's /relations extension: events without room_id and unsigned (homeserver/src/server/rooms/client-event-text.ts). */
export const LEAN_RELATIONS_PARAM = "fr.entente.lean";

/** The parameter names the server knows (matrix-js-sdk's feature detection: stable or the MSCs' unstable names). */
export interface RelationsParamNames { dir: string; recurse: string }

/** An event's kind as a widget's capabilities judge it: [type, state key or null, msgtype or null]. */
export type EventKind = [type: string, stateKey: string | null, msgtype: string | null];

/**
 * Our server's summary of a lean page (homeserver relations-kinds.ts): its events' count and
 * distinct kinds, written before the chunk. With it the page's other members are read without
 * parsing the events; `body.chunk` is then parsed on first use only.
 */
export const PAGE_SUMMARY_MEMBER = "fr.entente.page";
export interface PageSummary { count: number; kinds: EventKind[] }

export interface RawRelationsPage { body: Record<string, unknown> & { chunk: unknown[] }; bytes: ArrayBuffer; summary?: PageSummary }

export function relationsUrl(baseUrl: string, q: RawRelationsQuery, names: RelationsParamNames): string {
  const enc = encodeURIComponent;
  let path = `/_matrix/client/v1/rooms/${enc(q.roomId)}/relations/${enc(q.eventId)}`;
  // As the SDK does: an event type only under a relation type.
  if (q.relType !== undefined) path += `/${enc(q.relType)}${q.eventType === undefined ? "" : `/${enc(q.eventType)}`}`;
  const params = new URLSearchParams();
  params.set(names.dir, q.dir);
  if (q.from !== undefined) params.set("from", q.from);
  if (q.to !== undefined) params.set("to", q.to);
  if (q.limit !== undefined) params.set("limit", String(q.limit));
  if (q.recurse) params.set(names.recurse, "true");
  if (q.lean === true) params.set(LEAN_RELATIONS_PARAM, "true");
  return `${baseUrl.replace(/\/+$/, "")}${path}?${params.toString()}`;
}

/**
 * A 429 or 5xx answer: the SDK would get the same, so it is surfaced (the caller maps it to the
 * SDK's error) rather than the request repeated at once through the SDK (ignoring Retry-After).
 */
export class RelationsHttpError extends Error {
  readonly status: number;
  /** The server's JSON error body ({} when it sent none). */
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
  constructor(status: number, body: Record<string, unknown>, headers: Headers) {
    super(`[${status}] ${typeof body["error"] === "string" ? body["error"] : "relations"}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** Whether the same request through the SDK would fail the same way (rate limited, server error). */
const surfaced = (status: number): boolean => status === 429 || status >= 500;

async function jsonOf(res: Response): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await res.arrayBuffer()));
  } catch {
    return undefined;
  }
}

/** `{"next_batch":"…"` at the start of a body: our server writes it first (relations.ts). */
const NEXT_FIRST = /^\{"next_batch":("(?:[^"\\]|\\.)*")[,}]/;
/** Bytes of a body's start looked at for NEXT_FIRST (a token is a few dozen). */
const HEAD_BYTES = 1024;

/** The next page's token at the start of `head` (a body's first bytes), if the server put it there. */
export function nextBatchAtStart(head: Uint8Array): string | undefined {
  const m = NEXT_FIRST.exec(new TextDecoder().decode(head.subarray(0, HEAD_BYTES)));
  if (m?.[1] === undefined) return undefined;
  try {
    const token: unknown = JSON.parse(m[1]);
    return typeof token === "string" ? token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The body's bytes, read as they arrive; `onNextBatch` gets the next page's token as soon as the
 * body's first bytes show it (our server writes next_batch first), so the caller can ask for the
 * next page while this one is still arriving and being parsed (its parse was ~1/5 of each page's
 * turn in the board e2e bench, the server idle meanwhile, issue 13).
 */
async function bodyBytes(res: Response, onNextBatch: ((token: string) => void) | undefined): Promise<ArrayBuffer> {
  if (onNextBatch === undefined || res.body === null) return res.arrayBuffer();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  // Looked for in the first HEAD_BYTES only, as they arrive (the token is complete once followed by , or }).
  let looking = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (!looking) continue;
    const token = nextBatchAtStart(parts.length === 1 ? value : concat(parts, size));
    if (token !== undefined) onNextBatch(token);
    looking = token === undefined && size < HEAD_BYTES;
  }
  const all = concat(parts, size);
  return all.byteLength === all.buffer.byteLength ? all.buffer as ArrayBuffer : all.slice().buffer;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The page; undefined when the raw path is unusable (network failure, a body that is not a JSON
 * object with a `chunk` array, or a 4xx such as a refused token): the caller then asks through the
 * SDK, which maps errors and refreshes tokens. A 429 or 5xx throws RelationsHttpError.
 */
export async function fetchRawRelations(fetchFn: typeof fetch, url: string, accessToken: string, onNextBatch?: (token: string) => void): Promise<RawRelationsPage | undefined> {
  let res: Response;
  let bytes: ArrayBuffer;
  try {
    res = await fetchFn(url, { headers: { Authorization: `Bearer ${accessToken}` } });
    if (!res.ok) {
      if (!surfaced(res.status)) {
        await res.body?.cancel();
        return undefined;
      }
      const err = await jsonOf(res);
      throw new RelationsHttpError(res.status, typeof err === "object" && err !== null && !Array.isArray(err) ? (err as Record<string, unknown>) : {}, res.headers);
    }
    bytes = await bodyBytes(res, onNextBatch);
  } catch (e) {
    if (e instanceof RelationsHttpError) throw e;
    return undefined; // network failure or a body cut short
  }
  const summarised = summarisedPage(bytes);
  if (summarised !== undefined) return summarised;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null || !Array.isArray((body as { chunk?: unknown }).chunk)) return undefined;
  return { body: body as RawRelationsPage["body"], bytes };
}

const CHUNK_LAST = ',"chunk":[';
/** Bytes of a body's start searched for its members before the chunk (a summary holds a few kinds). */
const SUMMARY_HEAD_BYTES = 64 * 1024;

function isKind(k: unknown): k is EventKind {
  return Array.isArray(k) && k.length === 3 && typeof k[0] === "string" && (k[1] === null || typeof k[1] === "string") && (k[2] === null || typeof k[2] === "string");
}

/**
 * A body whose members before a last `chunk` include our server's summary (PAGE_SUMMARY_MEMBER):
 * those members parsed, the chunk left as bytes and parsed only if asked for (`body.chunk`).
 * Undefined when the body is not so (another server, a full page): the caller parses it all.
 */
export function summarisedPage(bytes: ArrayBuffer): RawRelationsPage | undefined {
  const view = new Uint8Array(bytes);
  // a JSON body ends with the chunk's "]}" when the chunk is its last member
  if (view.byteLength < 2 || view[view.byteLength - 2] !== 0x5d || view[view.byteLength - 1] !== 0x7d) return undefined;
  const head = new TextDecoder().decode(view.subarray(0, Math.min(view.byteLength, SUMMARY_HEAD_BYTES)));
  const at = head.indexOf(CHUNK_LAST);
  if (at < 0) return undefined;
  let members: unknown;
  try {
    members = JSON.parse(`${head.slice(0, at)}}`);
  } catch {
    return undefined;
  }
  if (typeof members !== "object" || members === null || Array.isArray(members) || "chunk" in members) return undefined;
  const summary = (members as Record<string, unknown>)[PAGE_SUMMARY_MEMBER] as { count?: unknown; kinds?: unknown } | undefined;
  if (typeof summary !== "object" || summary === null || typeof summary.count !== "number" || !Number.isInteger(summary.count) || summary.count < 0) return undefined;
  if (!Array.isArray(summary.kinds) || !summary.kinds.every(isKind)) return undefined;
  let chunk: unknown[] | undefined;
  const body = members as RawRelationsPage["body"];
  Object.defineProperty(body, "chunk", {
    enumerable: true,
    get: (): unknown[] => {
      if (chunk === undefined) {
        const parsed = (JSON.parse(new TextDecoder().decode(bytes)) as { chunk?: unknown }).chunk;
        chunk = Array.isArray(parsed) ? parsed : [];
      }
      return chunk;
    },
  });
  return { body, bytes, summary: { count: summary.count, kinds: summary.kinds } };
}
