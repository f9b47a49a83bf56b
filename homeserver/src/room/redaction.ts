// The redaction algorithm: what survives when an event is redacted. Also used to compute
// reference hashes and event signatures, so it must be byte-exact with every other server.
// Spec: https://spec.matrix.org/v1.16/rooms/v6/#redactions (v6–v8; v8 adds join_rules.allow)
//       https://spec.matrix.org/v1.16/rooms/v9/#redactions (v9–v10)
//       https://spec.matrix.org/v1.16/rooms/v11/#redactions (v11+)
import type { JsonObject, JsonValue, Pdu } from "./pdu.ts";
import type { RedactionRules, RoomVersion } from "./room-versions.ts";

/** Any event-shaped JSON object (a full PDU, a draft without signatures, a federation copy). */
export type EventJson = { readonly [key: string]: JsonValue | undefined };

// Top-level keys kept by v1–v10 rules; v11 drops `origin`, `membership` and `prev_state`.
const TOP_LEVEL_V6: ReadonlySet<string> = new Set([
  "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
  "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership",
]);
const TOP_LEVEL_V11: ReadonlySet<string> = new Set([
  "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
  "prev_events", "auth_events", "origin_server_ts",
]);

const POWER_LEVELS_V6 = ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"];

type ContentRule = readonly string[] | "all";

// Content keys kept per event type. `m.room.aliases` keeps nothing from v6 on (it is absent).
const CONTENT_KEYS: Record<RedactionRules, Readonly<Record<string, ContentRule>>> = {
  v6: {
    "m.room.member": ["membership"],
    "m.room.create": ["creator"],
    "m.room.join_rules": ["join_rule"],
    "m.room.power_levels": POWER_LEVELS_V6,
    "m.room.history_visibility": ["history_visibility"],
  },
  v9: {
    "m.room.member": ["membership", "join_authorised_via_users_server"],
    "m.room.create": ["creator"],
    "m.room.join_rules": ["join_rule", "allow"],
    "m.room.power_levels": POWER_LEVELS_V6,
    "m.room.history_visibility": ["history_visibility"],
  },
  v11: {
    // Plus `third_party_invite.signed`, handled in redactContent.
    "m.room.member": ["membership", "join_authorised_via_users_server"],
    "m.room.create": "all",
    "m.room.join_rules": ["join_rule", "allow"],
    "m.room.power_levels": [...POWER_LEVELS_V6, "invite"],
    "m.room.history_visibility": ["history_visibility"],
    "m.room.redaction": ["redacts"],
  },
};

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function contentRule(type: string, version: RoomVersion): ContentRule | undefined {
  const rule = CONTENT_KEYS[version.redaction][type];
  // Room version 8 keeps `allow` on join rules but otherwise uses the v6 algorithm; every
  // version with restricted joins (v8+) keeps it. https://spec.matrix.org/v1.16/rooms/v8/#redactions
  if (type === "m.room.join_rules" && Array.isArray(rule) && version.restrictedJoins && !rule.includes("allow")) {
    return [...rule, "allow"];
  }
  return rule;
}

function redactContent(type: string, content: JsonValue | undefined, version: RoomVersion): JsonObject {
  if (!isObject(content)) return {};
  const rule = contentRule(type, version);
  if (rule === undefined) return {};
  if (rule === "all") return { ...content };
  const kept: JsonObject = {};
  for (const key of rule) {
    const value = content[key];
    if (value !== undefined) kept[key] = value;
  }
  // v11: m.room.member keeps `signed` inside `third_party_invite` (an empty object survives,
  // a non-object is dropped). https://spec.matrix.org/v1.16/rooms/v11/#redactions
  const tpi = content["third_party_invite"];
  if (version.redaction === "v11" && type === "m.room.member" && isObject(tpi)) {
    const signed = tpi["signed"];
    kept["third_party_invite"] = signed === undefined ? {} : { signed };
  }
  return kept;
}

/**
 * Redacts any event-shaped object: keeps the version's top-level keys (dropping `unsigned`,
 * top-level `redacts` and anything unknown) and prunes `content` by event type. Returns a new
 * object; kept values are shared with the input, which is not modified.
 */
export function redactEvent(event: EventJson, version: RoomVersion): Record<string, JsonValue> {
  const topLevel = version.redaction === "v11" ? TOP_LEVEL_V11 : TOP_LEVEL_V6;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value !== undefined && topLevel.has(key) && key !== "content") out[key] = value;
  }
  const type = typeof event["type"] === "string" ? event["type"] : "";
  out["content"] = redactContent(type, event["content"], version);
  return out;
}

/** `redactEvent` for a full PDU: every required PDU key is on every keep list. */
export function redactPdu(pdu: Pdu, version: RoomVersion): Pdu {
  return redactEvent(pdu, version) as Pdu;
}
