// read_relations answers as one JSON string instead of an array of events, between our client and
// our widgets (an extension beside the spec's `recurse`): a browser delivers a postMessage to an
// out-of-process frame by re-creating every object in it, which for the task board's 22,000
// events took ~750 ms of the widget's main thread (load 10; V8 profile of the frame), where
// JSON.parse of the same text is a few tens of ms and a string crosses as one copy. A widget asks
// with CHUNK_JSON: true; a client that knows it answers `chunk: []` and the events, JSON-encoded,
// under CHUNK_JSON; one that does not (Element) answers as usual.
export const CHUNK_JSON = "fr.entente.chunk_json";

/** The answer's events: the JSON string when the client sent one, else its `chunk`. */
export function answerChunk(response: { chunk?: unknown } & Record<string, unknown>): unknown[] {
  const text = response[CHUNK_JSON];
  if (typeof text === "string") {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  }
  return Array.isArray(response.chunk) ? response.chunk : [];
}
