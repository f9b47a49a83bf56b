// The `push` section of the config schema: delivery of notifications to push gateways (Sygnal or
// compatible), https://spec.matrix.org/v1.16/push-gateway-api/.
import { integer, section, withDefault } from "./schema-combinators.ts";
import type { Refined, ValueType } from "./schema-combinators.ts";
import type { PushConfig } from "./config-types.ts";

const HOSTS_EXPECTED = "a list of host names or IP addresses";
const hostList: ValueType<string[]> = {
  expected: HOSTS_EXPECTED,
  stringly: false,
  check: (raw) => {
    if (!Array.isArray(raw)) return { ok: false, expected: HOSTS_EXPECTED };
    const bad = raw.findIndex((h) => typeof h !== "string" || !/^[0-9A-Za-z.:_-]+$/.test(h));
    if (bad >= 0) return { ok: false, expected: `${HOSTS_EXPECTED} (item ${bad + 1}, ${JSON.stringify(raw[bad])}, is not one)` };
    return { ok: true, value: [...new Set((raw as string[]).map((h) => h.toLowerCase()))] };
  },
};

export const push = section("Push notifications to phones through push gateways (pushers set by clients with POST /pushers/set).", {
  gateway_private_hosts: withDefault(hostList,
    "Push gateway hosts that may be reached on loopback or private addresses (a gateway run next to the homeserver); " +
    "any other gateway URL resolving to such an address is refused, so that clients cannot make the server probe its own network.",
    []),
  retry_initial_ms: withDefault(integer(1), "Delay before retrying a push the gateway did not accept; it doubles on each failure.", 1000),
  retry_max_ms: withDefault(integer(1), "Longest delay between two attempts to reach a push gateway.", 600_000),
}, (v): Refined<PushConfig> =>
  v.retryMaxMs < v.retryInitialMs ? { ok: false, errors: [{ key: "retry_max_ms", message: "must be at least retry_initial_ms" }] } : { ok: true, value: v });
