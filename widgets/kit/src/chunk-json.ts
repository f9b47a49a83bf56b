// read_relations answers as encoded JSON instead of an array of events, between our client and
// our widgets (an extension beside the spec's `recurse`): a browser delivers a postMessage to an
// out-of-process frame by re-creating every object in it, which for the task board's 22,000
// events took ~750 ms of the widget's main thread (load 10; V8 profile of the frame). A string
// crosses better but is still copied into and out of the message (Chromium 156: ~650 ms for a
// 4.3 MB string on first access of `ev.data` in the frame, twice that when the text holds a
// character past U+00FF), where a transferred ArrayBuffer is handed over without a copy into the
// message (0–10 ms); TextDecoder + JSON.parse in the widget cost a few tens of ms.
// A widget asks with CHUNK_JSON: CHUNK_BYTES (UTF-8 bytes, an ArrayBuffer the client transfers) or
// true (a string: the earlier form, still answered); a client that knows it answers `chunk: []`
// and the events under CHUNK_JSON; one that does not (Element) answers as usual. To a widget that
// asked for bytes, our client may instead pass on the server's /relations response bodies as it
// received them, under CHUNK_PAGES (ArrayBuffers of UTF-8 JSON, each with its `chunk`), when the
// widget may receive every event in them: no encoding of the events again in the client.
export const CHUNK_JSON = "fr.entente.chunk_json";
/** The request's CHUNK_JSON value asking for the events as UTF-8 JSON in a (transferred) ArrayBuffer. */
export const CHUNK_BYTES = "utf-8";
/** The answer's key for the server's page bodies (an array of ArrayBuffers, in order). */
export const CHUNK_PAGES = "fr.entente.chunk_pages";
/**
 * A recursive read_relations request's field (true) saying the widget needs only each event's
 * event_id, type, sender, content, origin_server_ts, state_key and redacts (+ a redacted event's
 * unsigned.redacted_because): our client then asks our server for lean events (`fr.entente.lean`
 * on /relations: no room_id, no unsigned, no bundled aggregations; a third fewer bytes for a task
 * list, and less server work). Another client or server ignores it and sends full events.
 */
export const LEAN_EVENTS = "fr.entente.lean";

/** The events as the widget asked for them (`asked`: the request's CHUNK_JSON), or undefined if it did not. */
export function encodeChunk(chunk: readonly unknown[], asked: unknown): string | ArrayBuffer | undefined {
  if (asked !== true && asked !== CHUNK_BYTES) return undefined;
  const text = JSON.stringify(chunk);
  if (asked !== CHUNK_BYTES) return text;
  // encodeInto: ~3x faster than encode() in Chromium 156 (4 MB: ~110 ms against ~330 at load 13).
  const bytes = new Uint8Array(text.length * 3);
  const { written } = new TextEncoder().encodeInto(text, bytes);
  // The whole buffer is transferred: it must hold these bytes only (transfer() shrinks without a copy).
  return typeof bytes.buffer.transfer === "function" ? bytes.buffer.transfer(written) : bytes.slice(0, written).buffer;
}

const decode = (bytes: ArrayBuffer): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** The answer's events: the server's pages, or the JSON text (string or UTF-8 bytes), when the client sent them, else its `chunk`. */
export function answerChunk(response: { chunk?: unknown } & Record<string, unknown>): unknown[] {
  const pages = response[CHUNK_PAGES];
  if (Array.isArray(pages)) {
    const out: unknown[] = [];
    for (const p of pages) {
      const chunk = p instanceof ArrayBuffer ? (decode(p) as { chunk?: unknown } | null)?.chunk : undefined;
      if (Array.isArray(chunk)) for (const e of chunk) out.push(e);
    }
    return out;
  }
  const encoded = response[CHUNK_JSON];
  const text = typeof encoded === "string" ? encoded : encoded instanceof ArrayBuffer ? new TextDecoder().decode(encoded) : undefined;
  if (text !== undefined) {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  }
  return Array.isArray(response.chunk) ? response.chunk : [];
}
