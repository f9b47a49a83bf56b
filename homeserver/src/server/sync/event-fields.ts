// A filter's `event_fields`: the client event fields a client wants, as dot-separated property paths
// (`content.body`, `content.m\.relates_to`, `unsigned.age`; `\.` is a literal dot and `\\` a literal
// backslash, as in push rule conditions). Pure.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering (Filter.event_fields) and
// https://spec.matrix.org/v1.16/appendices/#dot-separated-property-paths
//
// The paths are compiled once per request into a tree, so projecting an event costs one walk over
// the requested keys whatever the size of the event. A path that is missing from an event, or that
// goes through a non-object (an array or a string), contributes nothing; an object is only created
// in the output when something below it was copied. When both a key and a path below it are asked
// for (`content` and `content.body`), the whole value wins.
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import { invalidParam } from "../../spec/matrix-error.ts";
import { splitPropertyPath } from "../push/property-path.ts";

/** More paths than any client sends (Element sends none); a filter is rejected above it. */
export const MAX_EVENT_FIELDS = 100;
/** A longer path is no event field anyone needs; bounds the compiled tree. */
export const MAX_EVENT_FIELD_LENGTH = 512;

/** A node of the compiled tree: `whole` copies the value at this node, otherwise only `children`. */
interface FieldNode {
  whole: boolean;
  children: Map<string, FieldNode>;
}

/** The compiled `event_fields`; undefined when the filter has none (every field is returned). */
export type EventFields = FieldNode;

/** Throws M_INVALID_PARAM when the list is too long or holds an over-long path (filter upload and /sync). */
export function checkEventFields(list: readonly string[] | undefined, where = "event_fields"): void {
  if (list === undefined) return;
  if (list.length > MAX_EVENT_FIELDS) throw invalidParam(`filter: '${where}' has ${list.length} paths, at most ${MAX_EVENT_FIELDS} are allowed`);
  for (const p of list) {
    if (p.length > MAX_EVENT_FIELD_LENGTH) throw invalidParam(`filter: a path in '${where}' is longer than ${MAX_EVENT_FIELD_LENGTH} characters`);
  }
}

/** Compiles a (checked) list of paths. */
export function compileEventFields(list: readonly string[]): EventFields {
  const root: FieldNode = { whole: false, children: new Map() };
  for (const path of list) {
    let node = root;
    for (const key of splitPropertyPath(path)) {
      let next = node.children.get(key);
      if (!next) {
        next = { whole: false, children: new Map() };
        node.children.set(key, next);
      }
      node = next;
    }
    node.whole = true;
  }
  return root;
}

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The event restricted to the compiled fields; `event` is not modified (copied values are shared). */
export function projectEvent(event: JsonObject, fields: EventFields): JsonObject {
  return projectNode(event, fields) ?? {};
}

function projectNode(src: JsonObject, node: FieldNode): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const [key, child] of node.children) {
    if (!Object.hasOwn(src, key)) continue;
    const value = src[key];
    let picked: JsonValue | undefined;
    if (child.whole) picked = value;
    else if (isObject(value)) picked = projectNode(value, child);
    if (picked === undefined) continue;
    out ??= {};
    out[key] = picked;
  }
  return out;
}
