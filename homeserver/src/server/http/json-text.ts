// Responses whose members are already JSON text (client events spliced from their stored text,
// rooms/client-event-text.ts): the body is assembled as bytes, never parsed nor serialised again.
// Each text is encoded on its own and the bytes concatenated: joining 1,000 event texts (ropes of
// spliced pieces) into one string first cost about twice as much CPU (docs/perf/listfetch.md).
import type { HandlerResult } from "./router.ts";

const COMMA = Buffer.from(",");
const OPEN_ARRAY = Buffer.from("[");
const CLOSE_ARRAY = Buffer.from("]");

/**
 * A 200 JSON object from member name → the member's JSON text, or an array of JSON texts (written
 * as a JSON array of them), in insertion order.
 */
export function jsonTextResult(members: Readonly<Record<string, string | readonly string[]>>): HandlerResult {
  const parts: Buffer[] = [];
  let sep = "{";
  for (const [key, value] of Object.entries(members)) {
    parts.push(Buffer.from(`${sep}${JSON.stringify(key)}:`));
    sep = ",";
    if (typeof value === "string") {
      parts.push(Buffer.from(value));
      continue;
    }
    parts.push(OPEN_ARRAY);
    value.forEach((item, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(Buffer.from(item));
    });
    parts.push(CLOSE_ARRAY);
  }
  parts.push(Buffer.from(sep === "{" ? "{}" : "}"));
  return { raw: Buffer.concat(parts), headers: { "Content-Type": "application/json" } };
}
