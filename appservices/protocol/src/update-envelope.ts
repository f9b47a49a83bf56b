// The fields every update-like event (objective update, check-in, calendar event update) starts
// with, checked in this order, the first problem being the reason: an object content, a supported
// `version`, the root it references (m.reference) and its Lamport `clock`.
import { fail, isObject, ok, parseReference, parseVersion, type JsonObject, type Parsed } from "./parse.ts";
import { parseClock } from "./task-update.ts";

export interface UpdateEnvelope {
  content: JsonObject;
  version: number;
  root: string;
  clock: number;
}

export function parseUpdateEnvelope(content: unknown, supportedVersion: number): Parsed<UpdateEnvelope> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], supportedVersion);
  if (!version.ok) return version;
  const root = parseReference(content);
  if (!root.ok) return root;
  const clock = parseClock(content["clock"]);
  if (!clock.ok) return clock;
  return ok({ content, version: version.value, root: root.value, clock: clock.value });
}
