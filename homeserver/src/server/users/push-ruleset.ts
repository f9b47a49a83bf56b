// A user's push rules: server-default rules (ids starting with ".") merged with user-defined ones.
// The whole effective ruleset is stored as the m.push_rules account data ({global: ruleset}) so
// /sync delivers it; on read, defaults are recomputed and only their enabled/actions are kept, so
// defaults added by a newer spec reach existing users. Pure functions; errors are MatrixErrors.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-rules
import { MatrixError, badJson, notFound } from "../../spec/matrix-error.ts";
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import { PUSH_KINDS, defaultPushRules, type PushKind, type PushRule, type PushRuleset } from "./default-push-rules.ts";

export const isPushKind = (s: string): s is PushKind => (PUSH_KINDS as readonly string[]).includes(s);

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const isDefaultId = (ruleId: string): boolean => ruleId.startsWith(".");

/** The effective ruleset of a user from the stored m.push_rules content (anything, tolerated). */
export function effectiveRuleset(userId: string, stored: unknown): PushRuleset {
  const global = isObject(stored) && isObject(stored["global"]) ? stored["global"] : {};
  const defaults = defaultPushRules(userId);
  const out = defaultPushRules(userId);
  for (const kind of PUSH_KINDS) {
    const list = Array.isArray(global[kind]) ? global[kind] : [];
    const states = new Map<string, { enabled: boolean; actions: JsonValue[] }>();
    const user: PushRule[] = [];
    for (const raw of list) {
      if (!isObject(raw) || typeof raw["rule_id"] !== "string" || typeof raw["enabled"] !== "boolean" || !Array.isArray(raw["actions"])) continue;
      if (isDefaultId(raw["rule_id"])) states.set(raw["rule_id"], { enabled: raw["enabled"], actions: raw["actions"] });
      else {
        const r = storedUserRule(kind, raw);
        if (r) user.push(r);
      }
    }
    const defs = defaults[kind].map((d) => ({ ...d, ...states.get(d.rule_id) }));
    out[kind] = arrange(kind, user, defs);
  }
  return out;
}

function storedUserRule(kind: PushKind, raw: JsonObject): PushRule | undefined {
  const r: PushRule = { rule_id: raw["rule_id"] as string, default: false, enabled: raw["enabled"] === true, actions: raw["actions"] as JsonValue[] };
  if (kind === "content") {
    if (typeof raw["pattern"] !== "string") return undefined;
    r.pattern = raw["pattern"];
  }
  if (kind === "override" || kind === "underride") r.conditions = Array.isArray(raw["conditions"]) ? raw["conditions"].filter(isObject) : [];
  return r;
}

/** User rules outrank server defaults, except .m.rule.master which outranks everything. */
function arrange(kind: PushKind, user: PushRule[], defs: PushRule[]): PushRule[] {
  if (kind !== "override") return [...user, ...defs];
  const master = defs.filter((d) => d.rule_id === ".m.rule.master");
  return [...master, ...user, ...defs.filter((d) => d.rule_id !== ".m.rule.master")];
}

const userRules = (rs: PushRuleset, kind: PushKind): PushRule[] => rs[kind].filter((r) => !r.default);
const defaultRules = (rs: PushRuleset, kind: PushKind): PushRule[] => rs[kind].filter((r) => r.default);

export function findRule(rs: PushRuleset, kind: PushKind, ruleId: string): PushRule | undefined {
  return rs[kind].find((r) => r.rule_id === ruleId);
}

/** The m.push_rules account data content for a ruleset. */
export const pushRulesContent = (rs: PushRuleset): JsonObject => ({ global: rs as unknown as JsonObject });

/** Validates `actions`: known action names or `{set_tweak: ...}` objects. */
export function parseActions(v: unknown): JsonValue[] {
  if (!Array.isArray(v)) throw badJson("'actions' must be an array");
  for (const a of v) {
    // dont_notify and coalesce are historical no-ops that clients still send.
    const ok = typeof a === "string" ? ["notify", "dont_notify", "coalesce"].includes(a) : isObject(a) && typeof a["set_tweak"] === "string";
    if (!ok) throw badJson(`Unknown push rule action ${JSON.stringify(a)}`);
  }
  return v as JsonValue[];
}

/** Checks a rule id given for PUT: ids starting with "." are reserved for server defaults. */
export function checkUserRuleId(kind: PushKind, ruleId: string): void {
  if (ruleId === "" || isDefaultId(ruleId) || /[/\\]/.test(ruleId)) {
    throw new MatrixError("M_INVALID_PARAM", 400, "Push rule ids may not be empty, start with '.' or contain slashes");
  }
  if (kind === "room" && !ruleId.startsWith("!")) throw new MatrixError("M_INVALID_PARAM", 400, "The id of a room rule is a room id");
  if (kind === "sender" && !ruleId.startsWith("@")) throw new MatrixError("M_INVALID_PARAM", 400, "The id of a sender rule is a user id");
}

/** Builds a user-defined rule from a PUT body (enabled is decided by putUserRule). */
export function userRuleFromBody(kind: PushKind, ruleId: string, body: JsonObject): PushRule {
  checkUserRuleId(kind, ruleId);
  const rule: PushRule = { rule_id: ruleId, default: false, enabled: true, actions: parseActions(body["actions"]) };
  if (kind === "content") {
    if (typeof body["pattern"] !== "string" || body["pattern"] === "") throw badJson("Content rules need a 'pattern' string");
    rule.pattern = body["pattern"];
  }
  if (kind === "override" || kind === "underride") {
    const c = body["conditions"] ?? [];
    if (!Array.isArray(c) || !c.every((x) => isObject(x) && typeof x["kind"] === "string")) {
      throw badJson("'conditions' must be an array of objects with a 'kind'");
    }
    rule.conditions = c as JsonObject[];
  }
  return rule;
}

function withUserRules(rs: PushRuleset, kind: PushKind, user: PushRule[]): PushRuleset {
  return { ...rs, [kind]: arrange(kind, user, defaultRules(rs, kind)) };
}

/**
 * Adds or replaces a user rule. `before`/`after` name user rules of the same kind; without them a
 * new rule becomes the most important user rule and an updated one keeps its place and enabled flag.
 */
export function putUserRule(rs: PushRuleset, kind: PushKind, rule: PushRule, pos: { before?: string; after?: string }): PushRuleset {
  const users = userRules(rs, kind);
  const at = users.findIndex((r) => r.rule_id === rule.rule_id);
  const updated: PushRule = { ...rule, enabled: at >= 0 ? (users[at]?.enabled ?? true) : true };
  const others = users.filter((r) => r.rule_id !== rule.rule_id);
  const anchor = pos.before ?? pos.after;
  if (anchor !== undefined) {
    const i = others.findIndex((r) => r.rule_id === anchor);
    if (i < 0) throw new MatrixError("M_UNKNOWN", 400, `before/after rule not found: ${anchor}`);
    others.splice(pos.before !== undefined ? i : i + 1, 0, updated);
  } else if (at >= 0) {
    others.splice(at, 0, updated);
  } else {
    others.unshift(updated);
  }
  return withUserRules(rs, kind, others);
}

export function deleteUserRule(rs: PushRuleset, kind: PushKind, ruleId: string): PushRuleset {
  const existing = findRule(rs, kind, ruleId);
  if (!existing) throw notFound("The push rule was not found");
  if (existing.default) throw new MatrixError("M_INVALID_PARAM", 400, "Server-default push rules cannot be deleted");
  return withUserRules(rs, kind, userRules(rs, kind).filter((r) => r.rule_id !== ruleId));
}

/** Changes `enabled` or `actions` of any rule, server-default ones included. */
export function updateRule(rs: PushRuleset, kind: PushKind, ruleId: string, change: { enabled?: boolean; actions?: JsonValue[] }): PushRuleset {
  if (!findRule(rs, kind, ruleId)) throw notFound("The push rule was not found");
  return { ...rs, [kind]: rs[kind].map((r) => (r.rule_id === ruleId ? { ...r, ...change } : r)) };
}
