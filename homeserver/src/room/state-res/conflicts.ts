// Splitting state sets into unconflicted and conflicted parts, and the full conflicted set.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions
//       https://spec.matrix.org/v1.16/rooms/v12/#definitions (conflicted state subgraph, MSC4297)

import { authChain, authDifference } from "../auth-chain.ts";
import type { RoomEvent, StateKey, StateMap } from "../pdu.ts";
import type { EventLoader } from "./state-res-source.ts";

export interface SplitState {
  /** Keys present in every state set with the same event id. */
  readonly unconflicted: Map<StateKey, string>;
  /** Every event id found at a key that is not unconflicted. */
  readonly conflicted: Set<string>;
}

export function splitConflicted(stateSets: readonly StateMap<string>[]): SplitState {
  const unconflicted = new Map<StateKey, string>();
  const conflicted = new Set<string>();
  const keys = new Set<StateKey>();
  for (const stateSet of stateSets) for (const key of stateSet.keys()) keys.add(key);
  for (const key of keys) {
    const values = stateSets.map((stateSet) => stateSet.get(key));
    const first = values[0];
    if (first !== undefined && values.every((value) => value === first)) {
      unconflicted.set(key, first);
    } else {
      for (const value of values) if (value !== undefined) conflicted.add(value);
    }
  }
  return { unconflicted, conflicted };
}

/**
 * Power events might remove someone's ability to do something: power levels, join rules, and
 * kicks/bans (a leave or ban whose sender is not the target).
 */
export function isPowerEvent(event: RoomEvent): boolean {
  const { type, state_key: stateKey, content, sender } = event.pdu;
  if (typeof stateKey !== "string") return false;
  if (type === "m.room.power_levels" || type === "m.room.join_rules") return stateKey === "";
  if (type !== "m.room.member") return false;
  const membership = content["membership"];
  return (membership === "leave" || membership === "ban") && sender !== stateKey;
}

/**
 * v2.1: every event on an auth_events path between two conflicted events (endpoints included):
 * the events reached from some conflicted event that themselves reach a conflicted event.
 * Found with one forward walk (authChain) and one backward walk over the reversed edges, no recursion.
 */
export async function conflictedSubgraph(conflicted: ReadonlySet<string>, loader: EventLoader): Promise<Set<string>> {
  const reached = await authChain(conflicted, loader.source);
  const dependents = new Map<string, string[]>();
  for (const id of new Set([...reached, ...conflicted])) {
    for (const authId of (await loader.load(id)).pdu.auth_events) {
      const list = dependents.get(authId);
      if (list === undefined) dependents.set(authId, [id]);
      else list.push(id);
    }
  }
  // Events that reach a conflicted event are the conflicted events and their dependents, transitively.
  const reachesConflicted = new Set(conflicted);
  const queue = [...conflicted];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const dependent of dependents.get(next) ?? []) {
      if (!reachesConflicted.has(dependent)) {
        reachesConflicted.add(dependent);
        queue.push(dependent);
      }
    }
  }
  const subgraph = new Set(conflicted);
  for (const id of reached) if (reachesConflicted.has(id)) subgraph.add(id);
  return subgraph;
}

/** Conflicted state set ∪ auth difference (∪ conflicted state subgraph for v2.1). */
export async function fullConflictedSet(
  stateSets: readonly StateMap<string>[],
  conflicted: ReadonlySet<string>,
  loader: EventLoader,
): Promise<Set<string>> {
  const full = new Set(conflicted);
  for (const id of await authDifference(stateSets, loader.source)) full.add(id);
  if (loader.version.stateRes === "v2.1") {
    for (const id of await conflictedSubgraph(conflicted, loader)) full.add(id);
  }
  return full;
}
