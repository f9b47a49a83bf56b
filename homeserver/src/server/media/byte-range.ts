// Parses an HTTP Range header against a file size, so large downloads can resume.
// RFC 9110 §14.2: a server MAY ignore Range; we serve one range and ignore multi-range,
// malformed and non-"bytes" requests by sending the whole file (200).

export type RangeRequest =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

const NUM = /^\d{1,15}$/;

export function parseByteRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { kind: "full" };
  const spec = (m[1] ?? "").trim();
  if (spec.includes(",")) return { kind: "full" };
  const dash = spec.indexOf("-");
  if (dash < 0) return { kind: "full" };
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();
  if (first === "") {
    // suffix range: the last N bytes
    if (!NUM.test(last)) return { kind: "full" };
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  if (!NUM.test(first) || (last !== "" && !NUM.test(last))) return { kind: "full" };
  const start = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}
