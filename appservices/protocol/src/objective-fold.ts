// The fold of a room's objectives: same rules as the task fold (fold order, LWW per field, soft
// delete, current power levels), plus key-result operations and check-ins. Updates and check-ins
// of one objective go through ONE ordered sequence, so "was the sender the owner at that point"
// has a single answer on every reader.
import { OBJECTIVE_CHECKIN, OBJECTIVE_MSGTYPE, OBJECTIVE_UPDATE, ROOM_MESSAGE } from "./event-types.ts";
import { DEFAULT_OBJECTIVE_PERMISSIONS, type ObjectivePermissions, type ObjectivesState } from "./objectives-state.ts";
import { parseObjectiveRoot, type KeyResult, type ObjectiveFieldValues } from "./objective-root.ts";
import { parseCheckin, parseObjectiveUpdate, type Checkin, type ObjectiveUpdate } from "./objective-update.ts";
import { userLevel, type RoomPowerLevels } from "./power-levels.ts";
import { compareFoldOrder, prepareEvents, sortSkipped, type EventEnvelope, type SkippedEvent } from "./room-events.ts";

export interface KeyResultValue {
  value: number;
  at: number;
  by: string;
  eventId: string;
}

export interface Objective extends ObjectiveFieldValues {
  id: string;
  creator: string;
  createdAt: number;
  keyResults: KeyResult[];
  /** latest check-in per key result id (fold order), only for key results that exist */
  current: Record<string, KeyResultValue>;
  checkins: number;
  deleted: boolean;
  clock: number;
  updates: number;
}

export interface ObjectiveFoldInput {
  events: Iterable<unknown>;
  config?: ObjectivesState;
  levels: RoomPowerLevels;
}

export interface ObjectiveFoldResult {
  objectives: Map<string, Objective>;
  skipped: SkippedEvent[];
  maxClock: number;
}

type Step = { clock: number; env: EventEnvelope } & ({ kind: "update"; update: ObjectiveUpdate } | { kind: "checkin"; checkin: Checkin });

export function foldObjectives(input: ObjectiveFoldInput): ObjectiveFoldResult {
  const p = input.config?.permissions ?? DEFAULT_OBJECTIVE_PERMISSIONS;
  const { events, redacted, skipped } = prepareEvents(input.events, input.levels);
  const objectives = new Map<string, Objective>();
  const steps = new Map<string, Step[]>();
  let maxClock = 0;
  for (const env of events.values()) {
    const isRoot = env.type === ROOM_MESSAGE && env.content["msgtype"] === OBJECTIVE_MSGTYPE;
    if (!isRoot && env.type !== OBJECTIVE_UPDATE && env.type !== OBJECTIVE_CHECKIN) continue;
    if (redacted.has(env.eventId)) {
      skipped.push({ eventId: env.eventId, reason: "redacted" });
      continue;
    }
    if (isRoot) {
      const reason = acceptRoot(env, input, p, objectives);
      if (reason !== undefined) skipped.push({ eventId: env.eventId, reason });
      continue;
    }
    const step = parseStep(env);
    if (typeof step === "string") {
      skipped.push({ eventId: env.eventId, reason: step });
      continue;
    }
    maxClock = Math.max(maxClock, step.clock);
    const root = step.kind === "update" ? step.update.root : step.checkin.root;
    const list = steps.get(root) ?? [];
    list.push(step);
    steps.set(root, list);
  }
  for (const [rootId, list] of steps) {
    const o = objectives.get(rootId);
    list.sort(compareFoldOrder);
    for (const step of list) {
      const reason = o === undefined ? "references no known objective" : applyStep(o, step, input.levels, p);
      if (reason !== undefined) skipped.push({ eventId: step.env.eventId, reason });
    }
  }
  return { objectives, skipped: sortSkipped(skipped), maxClock };
}

function parseStep(env: EventEnvelope): Step | string {
  if (env.type === OBJECTIVE_UPDATE) {
    const u = parseObjectiveUpdate(env.content);
    return u.ok ? { kind: "update", update: u.value, clock: u.value.clock, env } : u.reason;
  }
  const c = parseCheckin(env.content);
  return c.ok ? { kind: "checkin", checkin: c.value, clock: c.value.clock, env } : c.reason;
}

function acceptRoot(env: EventEnvelope, input: ObjectiveFoldInput, p: ObjectivePermissions, out: Map<string, Objective>): string | undefined {
  const parsed = parseObjectiveRoot(env.content);
  if (!parsed.ok) return parsed.reason;
  if (input.config !== undefined && parsed.value.anchor !== input.config.anchor) return "references another objective list's anchor";
  const level = userLevel(input.levels, env.sender);
  if (level < p.create) return `sender's power level ${level} is below create (${p.create})`;
  out.set(env.eventId, {
    ...parsed.value.fields,
    id: env.eventId,
    creator: env.sender,
    createdAt: env.originServerTs,
    keyResults: parsed.value.keyResults,
    current: {},
    checkins: 0,
    deleted: false,
    clock: 0,
    updates: 0,
  });
  return undefined;
}

function applyStep(o: Objective, step: Step, levels: RoomPowerLevels, p: ObjectivePermissions): string | undefined {
  if (o.deleted) return "objective was deleted before this event";
  const sender = step.env.sender;
  const level = userLevel(levels, sender);
  const own = sender === o.creator || sender === o.owner;
  if (step.kind === "checkin") {
    if (!own && level < p.checkin) return `sender's power level ${level} is below checkin (${p.checkin})`;
    if (!o.keyResults.some((k) => k.id === step.checkin.keyResult)) return "check-in of an unknown key result";
    o.current[step.checkin.keyResult] = { value: step.checkin.value, at: step.env.originServerTs, by: sender, eventId: step.env.eventId };
    o.checkins += 1;
    return undefined;
  }
  const u = step.update;
  if (u.delete && !own && level < p.delete) return `sender's power level ${level} is below delete (${p.delete})`;
  if (!own && level < p.edit) return `sender's power level ${level} is below edit (${p.edit})`;
  Object.assign(o, u.set);
  const removed = new Set(u.keyResults.remove);
  if (removed.size > 0) {
    o.keyResults = o.keyResults.filter((k) => !removed.has(k.id));
    for (const id of removed) delete o.current[id];
  }
  for (const kr of u.keyResults.add) if (!o.keyResults.some((k) => k.id === kr.id)) o.keyResults.push(kr);
  for (const [id, patch] of Object.entries(u.keyResults.set)) {
    const i = o.keyResults.findIndex((k) => k.id === id);
    const kr = o.keyResults[i];
    if (kr !== undefined) o.keyResults[i] = { ...kr, ...patch };
  }
  if (u.delete) o.deleted = true;
  o.clock = Math.max(o.clock, u.clock);
  o.updates += 1;
  return undefined;
}
