// Authorisation rules for m.room.power_levels events (rule 9 in v6–v11, rule 10 in v12).
// Spec: https://spec.matrix.org/v1.16/rooms/v9/#authorisation-rules   (v6–v9: string levels allowed)
//       https://spec.matrix.org/v1.16/rooms/v11/#authorisation-rules  (v10+: integers only, rules 9.1–9.2)
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules  (v12: creators not in users, 10.4)

import type { JsonObject, JsonValue } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import type { AuthVerdict } from "./check-auth.ts";
import { ALLOW, powerOf, reject } from "./auth-context.ts";
import type { AuthContext } from "./auth-context.ts";
import { isJsonObject, isValidUserId, LEVEL_KEYS, parseLevel, roomCreators } from "./power-levels.ts";

const isInteger = (v: JsonValue | undefined): boolean => typeof v === "number" && Number.isInteger(v);

/** Sub-rule numbers: v10 added two type checks before the `users` check, v12 one after it. */
function plSteps(v: RoomVersion): { users: number; creators: number; noPrevious: number } {
  const users = v.integerPowerLevels ? 3 : 1;
  const creators = users + 1;
  return { users, creators, noPrevious: v.privilegedCreators ? creators + 1 : users + 1 };
}

export function checkPowerLevels(ctx: AuthContext): AuthVerdict {
  const r = ctx.top(9);
  const { pdu, version } = ctx;
  const content = pdu.content;
  const steps = plSteps(version);
  if (version.integerPowerLevels) {
    const bad = LEVEL_KEYS.find((key) => Object.hasOwn(content, key) && !isInteger(content[key]));
    if (bad !== undefined) return reject(`${r}.1`, `power level "${bad}" is not an integer`);
    for (const key of ["events", "notifications"]) {
      const value = content[key];
      if (value !== undefined && !(isJsonObject(value) && Object.values(value).every(isInteger))) {
        return reject(`${r}.2`, `power levels "${key}" is not an object of integers`);
      }
    }
  }
  const usersProblem = checkUsersShape(content["users"], version);
  if (usersProblem !== undefined) return reject(`${r}.${steps.users}`, usersProblem);
  if (version.privilegedCreators) {
    const creators = roomCreators(ctx.create, version);
    const listed = Object.keys(asObject(content["users"])).find((user) => creators.has(user));
    if (listed !== undefined) return reject(`${r}.${steps.creators}`, `room creator ${listed} may not appear in users`);
  }
  if (ctx.powerLevelsEvent === undefined) return ALLOW;
  return checkChanges(ctx, ctx.powerLevelsEvent.pdu.content, `${r}.`, steps.noPrevious);
}

function asObject(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

/**
 * `users` must be an object of valid user IDs to levels (integers; v6–v9 also integer strings).
 * An absent `users` is accepted as empty, as deployed implementations do.
 */
function checkUsersShape(users: JsonValue | undefined, version: RoomVersion): string | undefined {
  if (users === undefined) return undefined;
  if (!isJsonObject(users)) return "power levels users is not an object";
  for (const [user, level] of Object.entries(users)) {
    if (!isValidUserId(user)) return `"${user}" in users is not a valid user ID`;
    if (parseLevel(level, version) === undefined) return `power level of ${user} is not an integer`;
  }
  return undefined;
}

/** Levels of a `{ key: level }` object; invalid values count as absent. */
function levelsOf(value: JsonValue | undefined, version: RoomVersion): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, raw] of Object.entries(asObject(value))) {
    const level = parseLevel(raw, version);
    if (level !== undefined) out.set(key, level);
  }
  return out;
}

function topLevels(content: JsonObject, version: RoomVersion): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of LEVEL_KEYS) {
    const level = parseLevel(content[key], version);
    if (level !== undefined) out.set(key, level);
  }
  return out;
}

interface Change {
  readonly key: string;
  /** Undefined when the entry is being added. */
  readonly before: number | undefined;
  /** Undefined when the entry is being removed. */
  readonly after: number | undefined;
}

/** Entries added, changed or removed between two level maps. */
function changes(before: Map<string, number>, after: Map<string, number>): Change[] {
  const out: Change[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    if (a !== b) out.push({ key, before: b, after: a });
  }
  return out;
}

function checkChanges(ctx: AuthContext, previous: JsonObject, r: string, noPrevious: number): AuthVerdict {
  const { pdu, version } = ctx;
  const senderPower = powerOf(ctx, pdu.sender);
  for (const change of changes(topLevels(previous, version), topLevels(pdu.content, version))) {
    if (change.before !== undefined && change.before > senderPower) {
      return reject(`${r}${noPrevious + 1}.1`, `current "${change.key}" is above the sender's power level`);
    }
    if (change.after !== undefined && change.after > senderPower) {
      return reject(`${r}${noPrevious + 1}.2`, `new "${change.key}" is above the sender's power level`);
    }
  }
  const nested = (key: string): Change[] =>
    changes(levelsOf(previous[key], version), levelsOf(pdu.content[key], version)).map((c) => ({ ...c, key: `${key}.${c.key}` }));
  const eventChanges = [...nested("events"), ...nested("notifications")];
  const removed = eventChanges.find((c) => c.before !== undefined && c.before > senderPower);
  if (removed) return reject(`${r}${noPrevious + 2}.1`, `current ${removed.key} is above the sender's power level`);
  const added = eventChanges.find((c) => c.after !== undefined && c.after > senderPower);
  if (added) return reject(`${r}${noPrevious + 3}.1`, `new ${added.key} is above the sender's power level`);
  const userChanges = changes(levelsOf(previous["users"], version), levelsOf(pdu.content["users"], version));
  const demoted = userChanges.find((c) => c.key !== pdu.sender && c.before !== undefined && c.before >= senderPower);
  if (demoted) return reject(`${r}${noPrevious + 4}.1`, `cannot change ${demoted.key}, whose level is not below the sender's`);
  const promoted = userChanges.find((c) => c.after !== undefined && c.after > senderPower);
  if (promoted) return reject(`${r}${noPrevious + 5}.1`, `cannot raise ${promoted.key} above the sender's power level`);
  return ALLOW;
}
