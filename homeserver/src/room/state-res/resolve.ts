// State resolution v2 (room versions 2–11) and v2.1 (room version 12, MSC4297).
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#state-resolution
//       https://spec.matrix.org/v1.16/rooms/v12/#state-resolution

import { authChain } from "../auth-chain.ts";
import { stateKeyOf } from "../pdu.ts";
import type { StateKey, StateMap } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import { fullConflictedSet, isPowerEvent, splitConflicted } from "./conflicts.ts";
import { iterativeAuthChecks } from "./iterative-auth-checks.ts";
import { mainlineOrder } from "./mainline-order.ts";
import { reverseTopologicalPowerOrder } from "./reverse-topological-power-order.ts";
import { eventLoader } from "./state-res-source.ts";
import type { EventLoader, StateResSource } from "./state-res-source.ts";

/**
 * Resolve state maps (key → event id) into one. Throws MissingEventError when an event of the
 * state sets or of their auth chains is not in `source`.
 */
export async function resolveState(
  version: RoomVersion,
  stateSets: readonly StateMap<string>[],
  source: StateResSource,
): Promise<Map<StateKey, string>> {
  const { unconflicted, conflicted } = splitConflicted(stateSets);
  // No conflicted key means every set is identical, so the auth difference is empty too.
  if (conflicted.size === 0) return unconflicted;
  const loader = eventLoader(source, version);
  const full = await fullConflictedSet(stateSets, conflicted, loader);

  // Step 1: power events of the full conflicted set, with their auth chains inside that set.
  const powerOrdered = await reverseTopologicalPowerOrder(await powerEventsWithAuth(full, loader), loader);

  // Step 2: v2 starts from the unconflicted state map, v2.1 from an empty map.
  const initial = version.stateRes === "v2.1" ? new Map<StateKey, string>() : unconflicted;
  const partial = await iterativeAuthChecks(initial, powerOrdered, loader);

  // Steps 3–4: the other events, by mainline order on the partially resolved power levels.
  const picked = new Set(powerOrdered);
  const others = [...full].filter((id) => !picked.has(id));
  const powerLevelsId = partial.get(stateKeyOf("m.room.power_levels", ""));
  const resolved = await iterativeAuthChecks(partial, await mainlineOrder(others, powerLevelsId, loader), loader);

  // Step 5: the unconflicted state map wins over whatever the replay put at its keys.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}

/** The set X of step 1: power events P of `full`, plus the events of auth chain(P) in `full`. */
async function powerEventsWithAuth(full: ReadonlySet<string>, loader: EventLoader): Promise<Set<string>> {
  const powerEvents = new Set<string>();
  for (const id of full) if (isPowerEvent(await loader.load(id))) powerEvents.add(id);
  const selected = new Set(powerEvents);
  for (const id of await authChain(powerEvents, loader.source)) if (full.has(id)) selected.add(id);
  return selected;
}
