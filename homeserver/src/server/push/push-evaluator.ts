// Push rule evaluation: which rule of a user's ruleset matches an event, and what its actions say.
// Pure: everything the conditions need about the room (member count, power levels, display name)
// comes in a PushContext, so the same code serves every event source and the tests.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-rules
import { hash } from "node:crypto";
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
  /** By interned condition key (`keyId`): true, false, or not evaluated yet (undefined). */
  private readonly results: (boolean | undefined)[] = [];
  private readonly gen = keyGeneration;
  /** The body lowercased once for all recipients' own patterns (their localpart). */
  private lowered: { body: string; lower: string } | undefined;
  /**
   * By template id (compile): the index of the first rule that matches among the rules no
   * recipient of that template answers differently (not personal), with the room facts it was
   * computed with; every recipient of the template shares it.
   */
  private readonly shared: ({ first: number; facts: RoomFactsOf } | undefined)[] = [];

  /** The shared first match of `template` for these room facts, computed by `compute` once. */
  sharedFirst(template: number, facts: RoomFactsOf, compute: () => number): number {
    if (this.gen !== keyGeneration) return compute();
    const kept = this.shared[template];
    if (kept !== undefined && sameFacts(kept.facts, facts)) return kept.first;
    const first = compute();
    this.shared[template] = { first, facts };
    return first;
  }

  bodyMatches(pattern: string, body: string): boolean {
    if (!isPlainPattern(pattern)) return matchesAtWordBoundaries(pattern, body);
    return literalAtWordBoundaries(pattern.toLowerCase(), this.lower(body));
  }

  /** contains_display_name: conditionHolds's answer, with the body lowercased once per event. */
  nameMatches(name: string, body: string): boolean {
    if (!isPlainPattern(name, true)) return matchesAtWordBoundaries(name, body, true);
    return literalAtWordBoundaries(name.toLowerCase(), this.lower(body));
  }

  private lower(body: string): string {
    if (this.lowered?.body !== body) this.lowered = { body, lower: body.toLowerCase() };
    return this.lowered.lower;
  }

  holds(key: string, compute: () => boolean): boolean {
    return this.holdsId(keyId(key), compute);
  }

  /** `id` from keyId; a memo made before the interned keys were dropped never answers from them. */
  holdsId(id: number, compute: () => boolean): boolean {
    if (this.gen !== keyGeneration) return compute();
    let r = this.results[id];
    if (r === undefined) {
      r = compute();
      this.results[id] = r;
    }
    return r;
  }
}

/** What a rule may read of the context besides the recipient: the same for every recipient of an event. */
type RoomFactsOf = Pick<PushContext, "memberCount" | "senderPowerLevel" | "notificationLevels">;
const sameFacts = (a: RoomFactsOf, b: RoomFactsOf): boolean =>
  a.memberCount === b.memberCount && a.senderPowerLevel === b.senderPowerLevel && a.notificationLevels === b.notificationLevels;

/**
 * Event-only condition keys as small integers, so a memo is an array: one key per distinct
 * condition (kind, key, pattern, value) ever evaluated. Users' own rules add keys; past MAX_KEYS
 * all are dropped and rulesets compiled with them are compiled again (keyGeneration).
 */
const keyIds = new Map<string, number>();
const MAX_KEYS = 50_000;
let keyGeneration = 0;
/**
 * What a key is interned by: itself when short, else its SHA-256 (44 characters). A template's key
 * is its whole ruleset (~6 KiB for the default rules) and a condition's holds the user's pattern:
 * kept whole, 50,000 of them could hold hundreds of MB after the rulesets are gone (review R1).
 */
const internKey = (key: string): string => (key.length <= 64 ? key : `#${hash("sha256", key, "base64")}`);
function keyId(full: string): number {
  const key = internKey(full);
  let id = keyIds.get(key);
  if (id === undefined) {
    if (keyIds.size >= MAX_KEYS) dropKeys();
    id = keyIds.size;
    keyIds.set(key, id);
  }
  return id;
}

/** Characters held by the interned keys and templates (tests: they stay small whatever the rulesets). */
export function internedKeyChars(): { entries: number; chars: number } {
  let chars = 0;
  for (const k of keyIds.keys()) chars += k.length;
  for (const k of templateIds.keys()) chars += k.length;
  return { entries: keyIds.size + templateIds.size, chars };
}

/** Forgets every interned key and template: rulesets are compiled again, older memos compute. */
function dropKeys(): void {
  keyIds.clear();
  templateIds.clear();
  keyGeneration++;
}

/** A condition's memo key, or null when it reads the context (evaluated per recipient). */
function eventOnlyKey(c: JsonObject): string | null {
  const kind = c["kind"];
  // an object, so a missing parameter and a null one give different keys
  return kind === "event_match" || kind === "event_property_is" || kind === "event_property_contains"
    ? JSON.stringify({ kind, key: c["key"], pattern: c["pattern"], value: c["value"] }) : null;
}

/** A rule ready to run: disabled rules left out, conditions' memo keys interned. */
interface CompiledRule {
  kind: PushKind;
  rule: PushRule;
  /** A default rule that events with `m.mentions` skip. */
  legacyMention: boolean;
  /** override / underride: each condition with its memo key id (-1: reads the context). */
  conditions: { c: JsonObject; id: number }[];
  /** content rules: the pattern (undefined when malformed: never matches) and its memo key id. */
  pattern: string | undefined;
  patternId: number;
  /**
   * Reads who the recipient is: a condition or pattern holding their user id or localpart, or a
   * contains_display_name condition. Evaluated per recipient; the other rules once per template.
   */
  personal: boolean;
}

/** A compiled ruleset and its template: rulesets equal but for their user's id and localpart share one. */
interface Compiled { gen: number; rules: CompiledRule[]; template: number }

/** Templates (rulesets with the user's id and localpart replaced by markers) as small integers. */
const templateIds = new Map<string, number>();
function templateId(full: string): number {
  const key = internKey(full);
  let id = templateIds.get(key);
  if (id === undefined) {
    // bounded with the condition keys: past MAX_KEYS both are dropped (keyGeneration)
    id = templateIds.size;
    templateIds.set(key, id);
  }
  return id;
}

/**
 * Compiled rulesets by object: a ruleset must not be modified once evaluated (push-processor.ts
 * keeps each user's until their push rules change, then builds a new one).
 */
const compiledRulesets = new WeakMap<PushRuleset, Compiled>();

function compile(rs: PushRuleset, userId: string): Compiled {
  const kept = compiledRulesets.get(rs);
  if (kept !== undefined && kept.gen === keyGeneration) return kept;
  const gen = keyGeneration;
  const localpart = userId.slice(1, userId.indexOf(":"));
  // markers replace the user's own values (whole strings only) so equal rulesets of two users
  // give one template; a rule holding one reads who the recipient is (personal). The template
  // says which rules are personal: one holding a string equal to a marker is not taken for one
  let hit = false;
  const marked = (_k: string, v: unknown): unknown => {
    if (v !== userId && v !== localpart) return v;
    hit = true;
    return v === userId ? "\u0000user" : "\u0000localpart";
  };
  const rules: CompiledRule[] = [];
  const keys: string[] = [];
  for (const kind of PUSH_KINDS) {
    for (const rule of rs[kind]) {
      if (!rule.enabled) continue;
      const pattern = kind === "content" && typeof rule.pattern === "string" ? rule.pattern : undefined;
      hit = false;
      const key = JSON.stringify([kind, rule, pattern], marked);
      const personal = hit || (rule.conditions ?? []).some((c) => c["kind"] === "contains_display_name");
      keys.push(`${personal ? "P" : "S"}${key}`);
      rules.push({
        kind, rule, legacyMention: rule.default && LEGACY_MENTION_RULES.has(rule.rule_id),
        conditions: kind === "override" || kind === "underride" ? (rule.conditions ?? []).map((c) => {
          const key = eventOnlyKey(c);
          return { c, id: key === null ? -1 : keyId(key) };
        }) : [],
        pattern, patternId: pattern === undefined ? -1 : keyId("content\u0000" + pattern),
        personal,
      });
    }
  }
  if (templateIds.size >= MAX_KEYS) dropKeys();
  const compiled = { gen, rules, template: templateId(JSON.stringify(keys)) };
  // interning dropped the keys (MAX_KEYS) while compiling: ids of two generations, kept by no
  // ruleset; this evaluation's memo, older than the drop, computes every condition (holdsId)
  if (gen === keyGeneration) compiledRulesets.set(rs, compiled);
  return compiled;
}

/**
 * The first enabled rule that matches, by kind priority then rule order; undefined when none does.
 * `memo`: the same one for every recipient of `event` (with the same room facts in `ctx`) spares
 * re-running its event-only conditions, and the rules that do not read who the recipient is run
 * once for all recipients whose rulesets are the same but for their own id (the default rules:
 * most users): each recipient then runs only their personal rules before the shared match.
 */
export function evaluatePushRules(rs: PushRuleset, event: JsonObject, ctx: PushContext, memo = new EventConditionMemo()): PushOutcome | undefined {
  const content = event["content"];
  const hasMentions = typeof content === "object" && content !== null && !Array.isArray(content) && Object.hasOwn(content, "m.mentions");
  const { rules, template } = compile(rs, ctx.userId);
  const first = memo.sharedFirst(template, ctx, () => rules.findIndex((r) => !r.personal && !(hasMentions && r.legacyMention) && ruleMatches(r, event, ctx, memo)));
  const end = first === -1 ? rules.length : first;
  for (let i = 0; i < end; i++) {
    const r = rules[i]!;
    if (!r.personal || (hasMentions && r.legacyMention)) continue;
    if (ruleMatches(r, event, ctx, memo)) return outcome(r.kind, r.rule);
  }
  const r = rules[end];
  return r === undefined ? undefined : outcome(r.kind, r.rule);
}

function ruleMatches(r: CompiledRule, event: JsonObject, ctx: PushContext, memo: EventConditionMemo): boolean {
  switch (r.kind) {
    case "room":
      return event["room_id"] === r.rule.rule_id;
    case "sender":
      return event["sender"] === r.rule.rule_id;
    case "content": {
      const pattern = r.pattern;
      if (pattern === undefined) return false;
      return memo.holdsId(r.patternId, () => {
        const body = propertyAt(event, "content.body");
        return typeof body === "string" && memo.bodyMatches(pattern, body);
      });
    }
    default:
      for (const { c, id } of r.conditions) {
        if (!(id === -1 ? contextHolds(c, event, ctx, memo) : memo.holdsId(id, () => conditionHolds(c, event, ctx)))) return false;
      }
      return true;
  }
}

/** A condition that reads the context: conditionHolds, sharing the event's lowercased body. */
function contextHolds(c: JsonObject, event: JsonObject, ctx: PushContext, memo: EventConditionMemo): boolean {
  if (c["kind"] !== "contains_display_name") return conditionHolds(c, event, ctx);
  const body = propertyAt(event, "content.body");
  const name = ctx.displayName;
  return typeof body === "string" && name !== undefined && name !== "" && memo.nameMatches(name, body);
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

/** Parsed `is` parameters (the default rules use "2"; users' own rules add a few). */
const memberCounts = new Map<string, { op: string | undefined; n: number } | null>();

/** `is`: an integer optionally prefixed by ==, <, >, <= or >= (== when absent). */
export function memberCountMatches(is: string, count: number): boolean {
  let parsed = memberCounts.get(is);
  if (parsed === undefined) {
    const m = /^(==|<=|>=|<|>)?([0-9]{1,15})$/.exec(is);
    parsed = m ? { op: m[1], n: Number(m[2]) } : null;
    if (memberCounts.size >= 1000) memberCounts.clear();
    memberCounts.set(is, parsed);
  }
  if (parsed === null) return false;
  const n = parsed.n;
  switch (parsed.op) {
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

/** Outcomes by rule object, made once (rulesets are never modified once evaluated): read-only. */
const outcomes = new WeakMap<PushRule, PushOutcome>();
function outcome(kind: PushKind, rule: PushRule): PushOutcome {
  let o = outcomes.get(rule);
  if (o === undefined || o.kind !== kind) {
    o = { kind, ruleId: rule.rule_id, actions: rule.actions, ...readActions(rule.actions) };
    outcomes.set(rule, o);
  }
  return o;
}
