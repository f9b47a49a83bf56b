// Push rule evaluation: which rule of a user's ruleset matches an event, and what its actions say.
// Pure: everything the conditions need about the room (member count, power levels, display name)
// comes in a PushContext, so the same code serves every event source and the tests.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-rules
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import { globMatches } from "../../spec/glob.ts";
import { PUSH_KINDS, type PushKind, type PushRule, type PushRuleset } from "../users/default-push-rules.ts";
import { isPlainPattern, literalAtWordBoundaries, matchesAtWordBoundaries } from "./body-match.ts";
import { propertyAt } from "./property-path.ts";

export interface PushContext {
  /** The user whose rules are evaluated. */
  userId: string;
  /** The user's display name in the room (contains_display_name). */
  displayName: string | undefined;
  /** Joined members of the room (room_member_count). */
  memberCount: number;
  /** The sender's power level and the room's `notifications` levels (sender_notification_permission). */
  senderPowerLevel: number;
  notificationLevels: ReadonlyMap<string, number>;
}

export interface PushOutcome {
  kind: PushKind;
  ruleId: string;
  /** The matched rule's actions, as stored in push actions and /notifications. */
  actions: JsonValue[];
  notify: boolean;
  highlight: boolean;
  sound: string | undefined;
}

/** Rules deprecated by intentional mentions (v1.7): they only apply to events without `m.mentions`. */
const LEGACY_MENTION_RULES = new Set([".m.rule.contains_display_name", ".m.rule.roomnotif", ".m.rule.contains_user_name"]);

const GLOB = { questionMark: true, caseInsensitive: true };

/**
 * What the conditions that read only the event (event_match, event_property_is/contains, content
 * rules' patterns) said about ONE event, shared by its recipients: their rulesets are mostly the
 * same default rules (equal, not identical, objects: built per user), and such a condition cannot
 * answer differently for two of them. Conditions reading the context (display name, member count,
 * sender's power) are evaluated per recipient. Use one memo per event, never across events.
 */
export class EventConditionMemo {
  private readonly results = new Map<string, boolean>();
  /** The body lowercased once for all recipients' own patterns (their localpart). */
  private lowered: { body: string; lower: string } | undefined;

  bodyMatches(pattern: string, body: string): boolean {
    if (!isPlainPattern(pattern)) return matchesAtWordBoundaries(pattern, body);
    if (this.lowered?.body !== body) this.lowered = { body, lower: body.toLowerCase() };
    return literalAtWordBoundaries(pattern.toLowerCase(), this.lowered.lower);
  }

  holds(key: string, compute: () => boolean): boolean {
    let r = this.results.get(key);
    if (r === undefined) {
      r = compute();
      this.results.set(key, r);
    }
    return r;
  }
}

/** A condition's memo key, made once per condition object (rulesets are kept between events). */
const memoKeys = new WeakMap<JsonObject, string | null>();
function eventOnlyKey(c: JsonObject): string | null {
  let k = memoKeys.get(c);
  if (k === undefined) {
    const kind = c["kind"];
    // an object, so a missing parameter and a null one give different keys
    k = kind === "event_match" || kind === "event_property_is" || kind === "event_property_contains"
      ? JSON.stringify({ kind, key: c["key"], pattern: c["pattern"], value: c["value"] }) : null;
    memoKeys.set(c, k);
  }
  return k;
}

/**
 * The first enabled rule that matches, by kind priority then rule order; undefined when none does.
 * `memo`: the same one for every recipient of `event` spares re-running its event-only conditions.
 */
export function evaluatePushRules(rs: PushRuleset, event: JsonObject, ctx: PushContext, memo = new EventConditionMemo()): PushOutcome | undefined {
  const content = event["content"];
  const hasMentions = typeof content === "object" && content !== null && !Array.isArray(content) && Object.hasOwn(content, "m.mentions");
  for (const kind of PUSH_KINDS) {
    for (const rule of rs[kind]) {
      if (!rule.enabled) continue;
      if (rule.default && hasMentions && LEGACY_MENTION_RULES.has(rule.rule_id)) continue;
      if (ruleMatches(kind, rule, event, ctx, memo)) return outcome(kind, rule);
    }
  }
  return undefined;
}

function ruleMatches(kind: PushKind, rule: PushRule, event: JsonObject, ctx: PushContext, memo: EventConditionMemo): boolean {
  switch (kind) {
    case "room":
      return event["room_id"] === rule.rule_id;
    case "sender":
      return event["sender"] === rule.rule_id;
    case "content": {
      const pattern = rule.pattern;
      if (typeof pattern !== "string") return false;
      return memo.holds("content\u0000" + pattern, () => {
        const body = propertyAt(event, "content.body");
        return typeof body === "string" && memo.bodyMatches(pattern, body);
      });
    }
    default:
      return (rule.conditions ?? []).every((c) => {
        const key = eventOnlyKey(c);
        return key === null ? conditionHolds(c, event, ctx) : memo.holds(key, () => conditionHolds(c, event, ctx));
      });
  }
}

/** One condition; unknown kinds and malformed parameters never hold (spec: "MUST NOT match"). */
export function conditionHolds(c: JsonObject, event: JsonObject, ctx: PushContext): boolean {
  const key = c["key"];
  switch (c["kind"]) {
    case "event_match": {
      const pattern = c["pattern"];
      if (typeof key !== "string" || typeof pattern !== "string") return false;
      const value = propertyAt(event, key);
      if (typeof value !== "string") return false;
      if (key === "content.body") return matchesAtWordBoundaries(pattern, value);
      return globMatches(pattern, value, GLOB);
    }
    case "event_property_is": {
      const value = typeof key === "string" ? propertyAt(event, key) : undefined;
      return isScalar(value) && isScalar(c["value"]) && value === c["value"];
    }
    case "event_property_contains": {
      const list = typeof key === "string" ? propertyAt(event, key) : undefined;
      const wanted = c["value"];
      return Array.isArray(list) && isScalar(wanted) && list.some((v) => isScalar(v) && v === wanted);
    }
    case "contains_display_name": {
      const body = propertyAt(event, "content.body");
      const name = ctx.displayName;
      return typeof body === "string" && name !== undefined && name !== "" && matchesAtWordBoundaries(name, body, true);
    }
    case "room_member_count":
      return typeof c["is"] === "string" && memberCountMatches(c["is"], ctx.memberCount);
    case "sender_notification_permission":
      // a level the room does not set defaults to 50, like `room` (Synapse does the same)
      return typeof key === "string" && ctx.senderPowerLevel >= (ctx.notificationLevels.get(key) ?? 50);
    default:
      return false;
  }
}

/** Non-compound canonical JSON values: strings, safe integers, booleans, null. */
function isScalar(v: JsonValue | undefined): v is string | number | boolean | null {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v));
}

/** `is`: an integer optionally prefixed by ==, <, >, <= or >= (== when absent). */
export function memberCountMatches(is: string, count: number): boolean {
  const m = /^(==|<=|>=|<|>)?([0-9]{1,15})$/.exec(is);
  if (!m) return false;
  const n = Number(m[2]);
  switch (m[1]) {
    case "<": return count < n;
    case ">": return count > n;
    case "<=": return count <= n;
    case ">=": return count >= n;
    default: return count === n;
  }
}

/** What actions mean: `notify`, the `highlight` and `sound` tweaks; dont_notify and coalesce are no-ops. */
export function readActions(actions: readonly JsonValue[]): { notify: boolean; highlight: boolean; sound: string | undefined } {
  let notify = false;
  let highlight = false;
  let sound: string | undefined;
  for (const a of actions) {
    if (a === "notify") notify = true;
    else if (typeof a === "object" && a !== null && !Array.isArray(a)) {
      if (a["set_tweak"] === "highlight") highlight = a["value"] !== false;
      if (a["set_tweak"] === "sound" && typeof a["value"] === "string") sound = a["value"];
    }
  }
  return { notify, highlight, sound };
}

function outcome(kind: PushKind, rule: PushRule): PushOutcome {
  return { kind, ruleId: rule.rule_id, actions: rule.actions, ...readActions(rule.actions) };
}
