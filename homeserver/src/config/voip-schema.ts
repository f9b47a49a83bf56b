// The `voip` section of the config schema: a TURN server for 1:1 calls, handed to clients by
// GET /_matrix/client/v3/voip/turnServer with short-lived credentials (coturn's REST API scheme,
// `use-auth-secret` + `static-auth-secret`). https://spec.matrix.org/v1.16/client-server-api/#voice-over-ip
import { integer, optional, nonEmptyString, secret, section, withDefault } from "./schema-combinators.ts";
import type { Checked, ValueType } from "./schema-combinators.ts";

const URIS_EXPECTED = "a list of turn: or turns: URIs, e.g. turn:turn.example.fr:3478?transport=udp";
/** RFC 7065 URIs; we only check the scheme and that a host follows (clients parse the rest). */
const turnUriList: ValueType<string[]> = {
  expected: URIS_EXPECTED,
  stringly: false,
  check: (raw): Checked<string[]> => {
    if (!Array.isArray(raw)) return { ok: false, expected: URIS_EXPECTED };
    const bad = raw.findIndex((u) => typeof u !== "string" || !/^turns?:[^\s/?]+/.test(u));
    if (bad >= 0) return { ok: false, expected: `${URIS_EXPECTED} (item ${bad + 1}, ${JSON.stringify(raw[bad])}, is not one)` };
    return { ok: true, value: [...new Set(raw as string[])] };
  },
};

export const voip = section("Voice and video calls: the TURN server clients relay media through (none unless both turn_uris and turn_shared_secret are set).", {
  turn_uris: withDefault(turnUriList, "TURN server URIs given to clients.", []),
  turn_shared_secret: secret(optional(nonEmptyString,
    "Secret shared with the TURN server (coturn static-auth-secret); credentials are derived from it per user.",
    "${ENV:ENTENTE_TURN_SECRET}")),
  turn_user_lifetime: withDefault(integer(60_000),
    "How long the TURN credentials handed to a client stay valid, in milliseconds (3600000 = 1 hour).", 3_600_000),
});
