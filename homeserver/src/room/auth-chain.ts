// Auth chains and the auth difference, as defined for state resolution v2.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions ("Auth chain", "Auth difference")

import type { EventSource, RoomEvent, StateMap } from "./pdu.ts";

/** Thrown when an event needed to walk the auth graph is not in the event source. */
export class MissingEventError extends Error {
  readonly eventId: string;

  constructor(eventId: string) {
    super(`event ${eventId} is not available`);
    this.name = "MissingEventError";
    this.eventId = eventId;
  }
}

/** Load an event or throw MissingEventError: the auth graph must be complete to be walked. */
export async function loadEvent(source: EventSource, eventId: string): Promise<RoomEvent> {
  const event = await source.getEvent(eventId);
  if (event === undefined) throw new MissingEventError(eventId);
  return event;
}

/**
 * The union of the auth chains of `eventIds`: every event reachable through `auth_events` links.
 * A start event is only included when another start event reaches it. Breadth-first by layers
 * (each layer loaded in parallel), so there is no recursion; each event is loaded at most once.
 */
export async function authChain(eventIds: Iterable<string>, source: EventSource): Promise<Set<string>> {
  const chain = new Set<string>();
  const loaded = new Set<string>();
  let frontier = [...new Set(eventIds)];
  while (frontier.length > 0) {
    for (const id of frontier) loaded.add(id);
    const events = await Promise.all(frontier.map((id) => loadEvent(source, id)));
    const next: string[] = [];
    for (const event of events) {
      for (const authId of event.pdu.auth_events) {
        chain.add(authId);
        if (!loaded.has(authId)) {
          loaded.add(authId);
          next.push(authId);
        }
      }
    }
    frontier = next;
  }
  return chain;
}

/**
 * The auth difference of state sets: ∪Cᵢ − ∩Cᵢ, where Cᵢ, the full auth chain of Sᵢ, is taken to
 * hold the events of Sᵢ as well as everything they reach through auth_events.
 *
 * Why the events themselves: that is how Synapse computes it (a state set's own events count as
 * reached by that set), and rooms must converge with it. The literal reading (only what Sᵢ's
 * events reach) also puts an unconflicted event in the difference when only one side's chains cite
 * it, e.g. the current power levels; v2.1 then replays it from an empty state and bases the
 * mainline on it, where Synapse has no power levels in the partial state: the orders differ.
 */
export async function authDifference(
  stateSets: readonly StateMap<string>[],
  source: EventSource,
): Promise<Set<string>> {
  if (stateSets.length === 0) return new Set();
  const cached = cachingSource(source);
  const chains: Set<string>[] = [];
  for (const stateSet of stateSets) {
    const chain = await authChain(stateSet.values(), cached);
    for (const id of stateSet.values()) chain.add(id);
    chains.push(chain);
  }
  const counts = new Map<string, number>();
  for (const chain of chains) for (const id of chain) counts.set(id, (counts.get(id) ?? 0) + 1);
  const difference = new Set<string>();
  for (const [id, count] of counts) if (count < chains.length) difference.add(id);
  return difference;
}

/** Wrap a source so that each event is fetched from it at most once (misses are not cached). */
export function cachingSource(source: EventSource): EventSource {
  const cache = new Map<string, Promise<RoomEvent | undefined>>();
  return {
    getEvent(eventId: string): Promise<RoomEvent | undefined> {
      let pending = cache.get(eventId);
      if (pending === undefined) {
        pending = source.getEvent(eventId).then((event) => {
          if (event === undefined) cache.delete(eventId);
          return event;
        });
        cache.set(eventId, pending);
      }
      return pending;
    },
  };
}
