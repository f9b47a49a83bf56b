// May this agent create an objective in this room, and must the room's objectives list be set up
// first? Pure, from the room's current state. The protocol (docs/tasks-protocol.md §2 and §6):
// setting up means sending the `fr.entente.objectivelist` anchor and the `fr.entente.objectives`
// state, which needs the protocol's `configure` level (50 by default) AND the level the homeserver
// asks for that state event (`events["fr.entente.objectives"]`, else `state_default`: 50, or 0 in
// a room without power levels at all, as the spec says); creating an objective needs `create`.
// https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels
import { DEFAULT_OBJECTIVE_PERMISSIONS, OBJECTIVES_STATE, userLevel, type ObjectivesState, type RoomPowerLevels } from "./protocol.ts";

export type ObjectivesAccess =
  | { kind: "ready" }
  | { kind: "setup" }
  /** `action` "setup": the list does not exist and the agent cannot set it up; "create": it exists. */
  | { kind: "forbidden"; action: "setup" | "create"; needed: number; mine: number };

/** The level the homeserver requires to send a state event of `type` (spec defaults). */
export function stateEventLevel(powerLevelsContent: Record<string, unknown> | undefined, type: string): number {
  if (powerLevelsContent === undefined) return 0;
  const events = powerLevelsContent["events"];
  const own = typeof events === "object" && events !== null ? (events as Record<string, unknown>)[type] : undefined;
  if (typeof own === "number" && Number.isSafeInteger(own)) return own;
  const d = powerLevelsContent["state_default"];
  return typeof d === "number" && Number.isSafeInteger(d) ? d : 50;
}

export function objectivesAccess(input: {
  userId: string;
  levels: RoomPowerLevels;
  /** the room's m.room.power_levels content, undefined when the room has none */
  powerLevelsContent: Record<string, unknown> | undefined;
  /** the parsed fr.entente.objectives state, undefined when the room has none (or an unreadable one) */
  state: ObjectivesState | undefined;
}): ObjectivesAccess {
  const mine = userLevel(input.levels, input.userId);
  if (input.state !== undefined) {
    const needed = input.state.permissions.create;
    return mine >= needed ? { kind: "ready" } : { kind: "forbidden", action: "create", needed, mine };
  }
  const needed = Math.max(DEFAULT_OBJECTIVE_PERMISSIONS.configure, DEFAULT_OBJECTIVE_PERMISSIONS.create, stateEventLevel(input.powerLevelsContent, OBJECTIVES_STATE));
  return mine >= needed ? { kind: "setup" } : { kind: "forbidden", action: "setup", needed, mine };
}

/** Thrown by the port before sending what the fold would skip: the view words it. */
export class ObjectivesAccessError extends Error {
  readonly access: Extract<ObjectivesAccess, { kind: "forbidden" }> | { kind: "forbidden"; action: "edit" | "link" | "delete"; needed: number; mine: number };
  constructor(access: ObjectivesAccessError["access"]) {
    super(`${access.action}: power level ${access.mine} is below ${access.needed}`);
    this.access = access;
  }
}

/** The fold's rule for an objective update: `edit`, or being its creator or owner. */
export function mayEditObjective(o: { creator: string; owner: string | null }, userId: string, levels: RoomPowerLevels, state: ObjectivesState | undefined): { ok: true } | { ok: false; needed: number; mine: number } {
  const needed = (state?.permissions ?? DEFAULT_OBJECTIVE_PERMISSIONS).edit;
  const mine = userLevel(levels, userId);
  return mine >= needed || userId === o.creator || userId === o.owner ? { ok: true } : { ok: false, needed, mine };
}

/**
 * The fold's rule for deleting an objective: being its creator or owner, or a level of at least
 * `delete` and `edit` (a delete is an update: the fold checks both).
 */
export function mayDeleteObjective(o: { creator: string; owner: string | null }, userId: string, levels: RoomPowerLevels, state: ObjectivesState | undefined): { ok: true } | { ok: false; needed: number; mine: number } {
  const p = state?.permissions ?? DEFAULT_OBJECTIVE_PERMISSIONS;
  const needed = Math.max(p.delete, p.edit);
  const mine = userLevel(levels, userId);
  return mine >= needed || userId === o.creator || userId === o.owner ? { ok: true } : { ok: false, needed, mine };
}
