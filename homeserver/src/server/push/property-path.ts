// Dot-separated property paths of push rule conditions (`content.m\.relates_to.rel_type`): `.`
// separates keys, `\.` is a literal dot and `\\` a literal backslash (any other backslash is kept).
// Pure. Spec: https://spec.matrix.org/v1.16/appendices/#dot-separated-property-paths
import type { JsonObject, JsonValue } from "../../room/pdu.ts";

/** The keys of a path, unescaped. */
export function splitPropertyPath(path: string): string[] {
  const keys: string[] = [];
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    const next = path[i + 1];
    if (c === "\\" && (next === "." || next === "\\")) {
      cur += next;
      i++;
    } else if (c === ".") {
      keys.push(cur);
      cur = "";
    } else cur += c;
  }
  keys.push(cur);
  return keys;
}

/** Paths split so far: rules are evaluated for every recipient of every event. */
const splitPaths = new Map<string, readonly string[]>();
const MAX_SPLIT_PATHS = 1_000;

function keysOf(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (!keys) {
    keys = splitPropertyPath(path);
    if (splitPaths.size >= MAX_SPLIT_PATHS) splitPaths.clear();
    splitPaths.set(path, keys);
  }
  return keys;
}

/** The value at `path` in `event`, or undefined when a key is missing or crosses a non-object. */
export function propertyAt(event: JsonObject, path: string): JsonValue | undefined {
  let v: JsonValue | undefined = event;
  for (const key of keysOf(path)) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = v[key];
  }
  return v;
}
