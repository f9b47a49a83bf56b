// The `Authorization: X-Matrix ...` header of server-server requests: parsing and formatting.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#request-authentication
// Grammar: RFC 9110 §11.4 (credentials = auth-scheme 1*SP auth-param *(OWS "," OWS auth-param)).

export interface XMatrixAuth {
  origin: string;
  /** Optional when receiving (servers before v1.3 omit it); always sent. */
  destination: string | undefined;
  key: string;
  sig: string;
}

export type XMatrixParse = { ok: true; value: XMatrixAuth } | { ok: false; error: string };

const SCHEME = /^x-matrix +/i;
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const OWS = /^[ \t]*/;

interface Cursor {
  s: string;
  i: number;
}

const skip = (c: Cursor, re: RegExp): string => {
  const m = re.exec(c.s.slice(c.i));
  const text = m?.[0] ?? "";
  c.i += text.length;
  return text;
};

/** A quoted-string, backslash escapes undone; `c.i` is on the opening quote. */
function quoted(c: Cursor): string | undefined {
  let out = "";
  for (let i = c.i + 1; i < c.s.length; i++) {
    const ch = c.s[i];
    if (ch === "\\") {
      i++;
      if (i >= c.s.length) return undefined;
      out += c.s[i];
    } else if (ch === '"') {
      c.i = i + 1;
      return out;
    } else {
      out += ch;
    }
  }
  return undefined;
}

/** Unquoted values are tokens, but colons (server names with ports) and `/`, `+`, `=` (base64) are
 *  tolerated, as the spec asks of recipients for older senders. */
const BARE = /^[^\s,"]+/;

function parseParams(c: Cursor): Map<string, string> | string {
  const params = new Map<string, string>();
  for (;;) {
    const name = skip(c, NAME).toLowerCase();
    if (name === "") return `expected a parameter name at offset ${c.i}`;
    skip(c, OWS);
    if (c.s[c.i] !== "=") return `expected "=" after ${name}`;
    c.i++;
    skip(c, OWS);
    const value = c.s[c.i] === '"' ? quoted(c) : skip(c, BARE);
    if (value === undefined) return `unterminated quoted value of ${name}`;
    if (params.has(name)) return `duplicate parameter ${name}`;
    params.set(name, value);
    skip(c, OWS);
    if (c.i >= c.s.length) return params;
    if (c.s[c.i] !== ",") return `expected "," after the value of ${name}`;
    c.i++;
    skip(c, OWS);
  }
}

/** Parses an X-Matrix Authorization header value; unknown parameters are ignored. */
export function parseXMatrix(header: string): XMatrixParse {
  const scheme = SCHEME.exec(header);
  if (scheme === null) return { ok: false, error: "not an X-Matrix authorization" };
  const params = parseParams({ s: header.trimEnd(), i: scheme[0].length });
  if (typeof params === "string") return { ok: false, error: params };
  const origin = params.get("origin");
  const key = params.get("key");
  const sig = params.get("sig");
  for (const [name, v] of [["origin", origin], ["key", key], ["sig", sig]] as const) {
    if (v === undefined || v === "") return { ok: false, error: `missing ${name}` };
  }
  return { ok: true, value: { origin: origin ?? "", destination: params.get("destination"), key: key ?? "", sig: sig ?? "" } };
}

const quote = (v: string): string => `"${v.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;

/** Formats the header the way older servers expect: one space, lower-case names, no spaces around commas. */
export function formatXMatrix(auth: XMatrixAuth & { destination: string }): string {
  return `X-Matrix origin=${quote(auth.origin)},destination=${quote(auth.destination)},key=${quote(auth.key)},sig=${quote(auth.sig)}`;
}
