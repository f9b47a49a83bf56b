import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { defaultPushRules } from "./default-push-rules.ts";
import {
  deleteUserRule, effectiveRuleset, findRule, pushRulesContent, putUserRule, updateRule, userRuleFromBody,
} from "./push-ruleset.ts";

const ME = "@alice:test.local";
const ids = (rules: { rule_id: string }[]): string[] => rules.map((r) => r.rule_id);
const isErr = (code: string, status: number) => (e: unknown): boolean => e instanceof MatrixError && e.errcode === code && e.status === status;

describe("push rulesets", () => {
  it("defaults follow the spec: master first and disabled, user-specific patterns", () => {
    const rs = effectiveRuleset(ME, undefined);
    assert.equal(rs.override[0]?.rule_id, ".m.rule.master");
    assert.equal(rs.override[0]?.enabled, false);
    assert.deepEqual(ids(rs.underride), [".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted",
      ".m.rule.poll_start_one_to_one", ".m.rule.poll_start", ".m.rule.poll_end_one_to_one", ".m.rule.poll_end"]);
    assert.equal(rs.content[0]?.pattern, "alice");
    const invite = findRule(rs, "override", ".m.rule.invite_for_me");
    assert.deepEqual(invite?.conditions?.[2], { kind: "event_match", key: "state_key", pattern: ME });
    assert.ok(rs.override.every((r) => r.default));
  });

  it("a new user rule goes first among user rules, after master and before other defaults", () => {
    let rs = effectiveRuleset(ME, undefined);
    rs = putUserRule(rs, "override", userRuleFromBody("override", "a", { actions: ["notify"], conditions: [] }), {});
    rs = putUserRule(rs, "override", userRuleFromBody("override", "b", { actions: [] }), {});
    assert.deepEqual(ids(rs.override).slice(0, 4), [".m.rule.master", "b", "a", ".m.rule.suppress_notices"]);
    assert.equal(findRule(rs, "override", "a")?.enabled, true);
    assert.equal(findRule(rs, "override", "a")?.default, false);
  });

  it("before/after place a rule next to a user rule, and refuse default or unknown anchors", () => {
    let rs = effectiveRuleset(ME, undefined);
    for (const id of ["x", "y"]) rs = putUserRule(rs, "underride", userRuleFromBody("underride", id, { actions: [] }), {});
    rs = putUserRule(rs, "underride", userRuleFromBody("underride", "z", { actions: [] }), { after: "x" });
    assert.deepEqual(ids(rs.underride).slice(0, 3), ["y", "x", "z"]);
    rs = putUserRule(rs, "underride", userRuleFromBody("underride", "w", { actions: [] }), { before: "y" });
    assert.deepEqual(ids(rs.underride).slice(0, 4), ["w", "y", "x", "z"]);
    assert.throws(() => putUserRule(rs, "underride", userRuleFromBody("underride", "v", { actions: [] }), { before: ".m.rule.call" }), isErr("M_UNKNOWN", 400));
    assert.throws(() => putUserRule(rs, "underride", userRuleFromBody("underride", "v", { actions: [] }), { after: "nope" }), isErr("M_UNKNOWN", 400));
  });

  it("updating keeps place and enabled flag", () => {
    let rs = effectiveRuleset(ME, undefined);
    for (const id of ["p", "q"]) rs = putUserRule(rs, "content", userRuleFromBody("content", id, { actions: [], pattern: id }), {});
    rs = updateRule(rs, "content", "p", { enabled: false });
    rs = putUserRule(rs, "content", userRuleFromBody("content", "p", { actions: ["notify"], pattern: "cake*" }), {});
    assert.deepEqual(ids(rs.content), ["q", "p", ".m.rule.contains_user_name"]);
    assert.equal(findRule(rs, "content", "p")?.enabled, false);
    assert.equal(findRule(rs, "content", "p")?.pattern, "cake*");
  });

  it("validates rule ids and bodies", () => {
    assert.throws(() => userRuleFromBody("override", ".m.rule.mine", { actions: [] }), isErr("M_INVALID_PARAM", 400));
    assert.throws(() => userRuleFromBody("override", "a/b", { actions: [] }), isErr("M_INVALID_PARAM", 400));
    assert.throws(() => userRuleFromBody("room", "not-a-room", { actions: [] }), isErr("M_INVALID_PARAM", 400));
    assert.throws(() => userRuleFromBody("override", "a", {}), isErr("M_BAD_JSON", 400));
    assert.throws(() => userRuleFromBody("override", "a", { actions: ["explode"] }), isErr("M_BAD_JSON", 400));
    assert.throws(() => userRuleFromBody("content", "a", { actions: [] }), isErr("M_BAD_JSON", 400));
    assert.throws(() => userRuleFromBody("override", "a", { actions: [], conditions: [1] }), isErr("M_BAD_JSON", 400));
    const room = userRuleFromBody("room", "!r:test.local", { actions: ["notify", { set_tweak: "sound", value: "default" }] });
    assert.equal(room.conditions, undefined);
  });

  it("default rules can be toggled but not deleted; unknown rules are 404", () => {
    let rs = effectiveRuleset(ME, undefined);
    rs = updateRule(rs, "override", ".m.rule.master", { enabled: true });
    assert.equal(findRule(rs, "override", ".m.rule.master")?.enabled, true);
    assert.throws(() => deleteUserRule(rs, "override", ".m.rule.master"), isErr("M_INVALID_PARAM", 400));
    assert.throws(() => deleteUserRule(rs, "override", "ghost"), isErr("M_NOT_FOUND", 404));
    assert.throws(() => updateRule(rs, "sender", "@x:y", { enabled: false }), isErr("M_NOT_FOUND", 404));
    rs = putUserRule(rs, "sender", userRuleFromBody("sender", "@bob:test.local", { actions: [] }), {});
    rs = deleteUserRule(rs, "sender", "@bob:test.local");
    assert.deepEqual(rs.sender, []);
  });

  it("round-trips through the stored account data and recomputes defaults", () => {
    let rs = effectiveRuleset(ME, undefined);
    rs = updateRule(rs, "underride", ".m.rule.message", { actions: [] });
    rs = putUserRule(rs, "override", userRuleFromBody("override", "mine", { actions: ["notify"] }), {});
    const stored = JSON.parse(JSON.stringify(pushRulesContent(rs))) as { global: { override: unknown[] } };
    // A default rule dropped from storage (e.g. added by a newer spec) comes back; junk is ignored.
    stored.global.override = stored.global.override.filter((r) => (r as { rule_id: string }).rule_id !== ".m.rule.reaction");
    stored.global.override.push(42, { rule_id: "broken" });
    const again = effectiveRuleset(ME, stored);
    assert.deepEqual(again, rs);
    assert.deepEqual(effectiveRuleset(ME, { global: "garbage" }), effectiveRuleset(ME, undefined));
    assert.deepEqual(effectiveRuleset(ME, undefined), defaultPushRules(ME));
  });
});
