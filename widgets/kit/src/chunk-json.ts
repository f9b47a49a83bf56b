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
// and the events under CHUNK_JSON; one that does not (Element) answers as usual.
export const CHUNK_JSON = "fr.entente.chunk_json";
/** The request's CHUNK_JSON value asking for the events as UTF-8 JSON in a (transferred) ArrayBuffer. */
export const CHUNK_BYTES = "utf-8";

/** The events as the widget asked for them (`asked`: the request's CHUNK_JSON), or undefined if it did not. */
export function encodeChunk(chunk: readonly unknown[], asked: unknown): string | ArrayBuffer | undefined {
  if (asked !== true && asked !== CHUNK_BYTES) return undefined;
  const text = JSON.stringify(chunk);
  if (asked !== CHUNK_BYTES) return text;
  const bytes = new TextEncoder().encode(text);
  // The whole buffer is transferred: it must hold these bytes only.
  return (bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()).buffer as ArrayBuffer;
}

/** The answer's events: the JSON text (string or UTF-8 bytes) when the client sent it, else its `chunk`. */
export function answerChunk(response: { chunk?: unknown } & Record<string, unknown>): unknown[] {
  const encoded = response[CHUNK_JSON];
  const text = typeof encoded === "string" ? encoded : encoded instanceof ArrayBuffer ? new TextDecoder().decode(encoded) : undefined;
  if (text !== undefined) {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  }
  return Array.isArray(response.chunk) ? response.chunk : [];
}
