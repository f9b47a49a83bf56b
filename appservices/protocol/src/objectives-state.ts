// `fr.entente.objectives` state (state_key ""): schema version, the objectives anchor pointer and
// the power levels of each action. Pointers and configuration only: state is never encrypted.
import { SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseEventId, parseUserId, parseVersion, type JsonObject, type Parsed } from "./parse.ts";
import { parsePermissions } from "./tasks-state.ts";

export interface ObjectivePermissions {
  create: number;
  edit: number;
  checkin: number;
  delete: number;
  configure: number;
}
export const DEFAULT_OBJECTIVE_PERMISSIONS: ObjectivePermissions = { create: 0, edit: 0, checkin: 0, delete: 50, configure: 50 };

/** `fr.entente.objectives` state (state_key ""): schema version, anchor pointer, permissions. */
export interface ObjectivesState {
  version: number;
  anchor: string;
  bot?: string;
  permissions: ObjectivePermissions;
}

export function parseObjectivesState(content: unknown): Parsed<ObjectivesState> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseEventId(content["anchor"], "anchor");
  if (!anchor.ok) return anchor;
  const permissions = parsePermissions(content["power_levels"], DEFAULT_OBJECTIVE_PERMISSIONS);
  if (!permissions.ok) return permissions;
  const state: ObjectivesState = { version: version.value, anchor: anchor.value, permissions: permissions.value };
  if (content["bot"] !== undefined) {
    const bot = parseUserId(content["bot"], "bot");
    if (!bot.ok) return bot;
    state.bot = bot.value;
  }
  return ok(state);
}

export function buildObjectivesState(input: { anchor: string; bot?: string; permissions?: Partial<ObjectivePermissions> }): JsonObject {
  const content: JsonObject = { version: SCHEMA_VERSION, anchor: input.anchor, power_levels: { ...DEFAULT_OBJECTIVE_PERMISSIONS, ...input.permissions } };
  if (input.bot !== undefined) content["bot"] = input.bot;
  return content;
}
