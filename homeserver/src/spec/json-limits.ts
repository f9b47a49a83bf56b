// JSON from outside (request bodies, JSON query parameters), parsed with the limits the rest of the
// server relies on (issue 9, findings 11 and 13):
// - the bytes must be valid UTF-8: Buffer.toString() would silently turn bad bytes into U+FFFD, so
//   the signed or stored text would differ from what the sender sent;
// - nesting is capped: JSON.parse copes with deep input, but everything after it (canonical JSON,
//   hashing, redaction, filters) recurses, and a 100,000-deep array overflowed the stack and
//   answered with V8's "Maximum call stack size exceeded". The depth is counted on the text, in
//   one pass without recursion, before JSON.parse runs.
import { MatrixError } from "./matrix-error.ts";

/** Deepest nesting of arrays and objects accepted in a client request body or JSON parameter. */
export const MAX_JSON_DEPTH = 100;

/**
 * Federation bodies wrap client content in a few more levels (transaction → pdus → pdu → content,
 * send_join's state lists): they get that margin so content a client could send always federates.
 */
export const MAX_FEDERATION_JSON_DEPTH = MAX_JSON_DEPTH + 16;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The deepest nesting of `[` / `{` outside strings, stopping early once `limit` is exceeded. */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++; // the escaped character cannot end the string
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return max;
}

const tooDeep = (what: string, maxDepth: number): MatrixError =>
  new MatrixError("M_BAD_JSON", 400, `${what} is nested deeper than ${maxDepth} levels`);

/** Parses a request body: invalid UTF-8 or JSON → M_NOT_JSON, too deep → M_BAD_JSON. */
export function parseJsonBody(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new MatrixError("M_NOT_JSON", 400, "Content is not valid UTF-8");
  }
  if (jsonNestingDepth(text, maxDepth) > maxDepth) throw tooDeep("Request body", maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MatrixError("M_NOT_JSON", 400, "Content not JSON");
  }
}

/** Parses a JSON query parameter (`filter`): not JSON → M_INVALID_PARAM, too deep → M_BAD_JSON. */
export function parseJsonParam(raw: string, name: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestingDepth(raw, maxDepth) > maxDepth) throw tooDeep(`'${name}'`, maxDepth);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new MatrixError("M_INVALID_PARAM", 400, `'${name}' is not valid JSON`);
  }
}
