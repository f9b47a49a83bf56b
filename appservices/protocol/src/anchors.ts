// The anchors: one timeline event per collection that every root references, so
// `GET /rooms/{roomId}/relations/{anchor}/m.reference` lists a collection without scanning
// history, also in encrypted rooms (m.relates_to stays in clear) and through the widget API.
// The anchor carries nothing secret: it is a named hook. Its event id is published in the state.
import { SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseString, parseVersion, type JsonObject, type Parsed } from "./parse.ts";

export interface AnchorContent {
  version: number;
  name?: string;
}

/** Parses a `fr.entente.tasklist` or `fr.entente.objectivelist` anchor's content. */
export function parseAnchor(content: unknown): Parsed<AnchorContent> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  if (content["name"] === undefined) return ok({ version: version.value });
  const name = parseString(content["name"], "name", 200);
  return name.ok ? ok({ version: version.value, name: name.value }) : name;
}

/** Content of an anchor event; send it as TASKLIST_ANCHOR or OBJECTIVELIST_ANCHOR (event-types.ts). */
export function buildAnchor(name?: string): JsonObject {
  return name === undefined ? { version: SCHEMA_VERSION } : { version: SCHEMA_VERSION, name };
}
