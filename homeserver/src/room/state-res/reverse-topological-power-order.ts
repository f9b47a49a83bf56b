// Reverse topological power ordering: the lexicographically smallest topological order of the auth
// DAG (earliest first), breaking ties by higher sender power, then origin_server_ts, then event id.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions

import type { RoomEvent } from "../pdu.ts";
import { MinHeap } from "./min-heap.ts";
import { senderPowerLevel } from "./sender-power.ts";
import { compareTsThenId } from "./state-res-source.ts";
import type { EventLoader } from "./state-res-source.ts";

interface Ranked {
  readonly event: RoomEvent;
  readonly power: number;
}

/** x < y: greater power first (Infinity-safe, no subtraction), then ts, then id. */
export function comparePowerThenTs(x: Ranked, y: Ranked): number {
  if (x.power !== y.power) return x.power > y.power ? -1 : 1;
  return compareTsThenId(x.event, y.event);
}

/**
 * Sort `eventIds` with Kahn's algorithm, picking the smallest ready event each step. An event is
 * ready once every member of the set it reaches through auth_events (directly or through events
 * outside the set) has been output: the order constraint is reachability, not direct citation.
 */
export async function reverseTopologicalPowerOrder(
  eventIds: ReadonlySet<string>,
  loader: EventLoader,
): Promise<string[]> {
  const dependencies = await dependenciesWithin(eventIds, loader);
  const dependents = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  const heap = new MinHeap<Ranked>(comparePowerThenTs);
  for (const [id, deps] of dependencies) {
    waitingOn.set(id, deps.size);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [id]);
      else list.push(id);
    }
  }
  const ranked = new Map<string, Ranked>();
  for (const id of eventIds) {
    const event = await loader.load(id);
    ranked.set(id, { event, power: await senderPowerLevel(event, loader) });
    if (waitingOn.get(id) === 0) heap.push(ranked.get(id) as Ranked);
  }
  const order: string[] = [];
  for (let next = heap.pop(); next !== undefined; next = heap.pop()) {
    order.push(next.event.eventId);
    for (const dependent of dependents.get(next.event.eventId) ?? []) {
      const left = (waitingOn.get(dependent) ?? 0) - 1;
      waitingOn.set(dependent, left);
      if (left === 0) heap.push(ranked.get(dependent) as Ranked);
    }
  }
  return order;
}

/**
 * For each event of the set, the set members it reaches through auth_events without passing
 * through another member. Events outside the set are walked iteratively and memoised, so shared
 * auth history below the set is only visited once.
 */
async function dependenciesWithin(
  members: ReadonlySet<string>,
  loader: EventLoader,
): Promise<Map<string, Set<string>>> {
  const below = new Map<string, Set<string>>();
  const nearest = async (authIds: readonly string[]): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const authId of authIds) {
      if (members.has(authId)) out.add(authId);
      else for (const id of await reachedOutside(authId, members, below, loader)) out.add(id);
    }
    return out;
  };
  const result = new Map<string, Set<string>>();
  for (const id of members) result.set(id, await nearest((await loader.load(id)).pdu.auth_events));
  return result;
}

/** Post-order walk from a non-member event, filling `below` for it and everything it reaches. */
async function reachedOutside(
  root: string,
  members: ReadonlySet<string>,
  below: Map<string, Set<string>>,
  loader: EventLoader,
): Promise<Set<string>> {
  const stack: [id: string, expanded: boolean][] = [[root, false]];
  const inProgress = new Set<string>();
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [id, expanded] = top;
    if (below.has(id) || (!expanded && inProgress.has(id))) continue;
    const authIds = (await loader.load(id)).pdu.auth_events;
    if (!expanded) {
      inProgress.add(id);
      stack.push([id, true]);
      for (const authId of authIds) if (!members.has(authId) && !below.has(authId)) stack.push([authId, false]);
      continue;
    }
    const reached = new Set<string>();
    for (const authId of authIds) {
      if (members.has(authId)) reached.add(authId);
      else for (const member of below.get(authId) ?? []) reached.add(member);
    }
    below.set(id, reached);
  }
  return below.get(root) ?? new Set();
}
