import assert from "node:assert/strict";
import type { JsonObject } from "../../room/pdu.ts";
import { defaultPushRules } from "../users/default-push-rules.ts";
import { effectiveRuleset, putUserRule, updateRule, userRuleFromBody } from "../users/push-ruleset.ts";
import { conditionHolds, EventConditionMemo, evaluatePushRules, internedKeyChars, memberCountMatches, readActions, type PushContext } from "./push-evaluator.ts";

const ME = "@alice:ville-a.fr";
const ROOM = "!salle:ville-a.fr";
const ctx = (over: Partial<PushContext> = {}): PushContext => ({
  userId: ME, displayName: "Alice Martin", memberCount: 5, senderPowerLevel: 0, notificationLevels: new Map([["room", 50]]), ...over,
});
const ev = (type: string, content: JsonObject, extra: JsonObject = {}): JsonObject =>
  ({ type, content, sender: "@bob:ville-b.fr", room_id: ROOM, event_id: "$e", ...extra });
const msg = (body: string, extra: JsonObject = {}): JsonObject => ev("m.room.message", { msgtype: "m.text", body, ...extra });
const rules = defaultPushRules(ME);
const rule = (e: JsonObject, c: PushContext = ctx()): string | undefined => evaluatePushRules(rules, e, c)?.ruleId;

describe("push rule conditions (spec examples)", () => {
  it("event_match: whole value, case-insensitive, `?` is one character, non-strings never match", () => {
    const c = { kind: "event_match", key: "content.topic", pattern: "lunc?*" };
    const topic = (t: JsonObject["x"]): JsonObject => ev("m.room.topic", { topic: t ?? null }, { state_key: "" });
    assert.equal(conditionHolds(c, topic("Lunch plans"), ctx()), true);
    assert.equal(conditionHolds(c, topic("LUNCH"), ctx()), true);
    assert.equal(conditionHolds(c, topic(" lunch"), ctx()), false);
    assert.equal(conditionHolds(c, topic("lunc"), ctx()), false);
    assert.equal(conditionHolds(c, topic(null), ctx()), false);
    assert.equal(conditionHolds({ kind: "event_match", key: "content.nope", pattern: "*" }, topic("x"), ctx()), false);
  });

  it("event_match on content.body: any substring between word boundaries", () => {
    const c = { kind: "event_match", key: "content.body", pattern: "ex*ple" };
    assert.equal(conditionHolds(c, msg("An example event."), ctx()), true);
    assert.equal(conditionHolds(c, msg("exple"), ctx()), true);
    assert.equal(conditionHolds(c, msg("An exciting triple-whammy"), ctx()), true);
    assert.equal(conditionHolds(c, msg("examples"), ctx()), false);
    assert.equal(conditionHolds(c, msg("anexample"), ctx()), false);
  });

  it("event_property_is: exact scalar values, no casts, escaped dots in keys", () => {
    const create = ev("m.room.create", { "m.federate": true, room_version: "1" }, { state_key: "" });
    assert.equal(conditionHolds({ kind: "event_property_is", key: "content.m\\.federate", value: true }, create, ctx()), true);
    const not = (v: JsonObject["x"]): boolean => conditionHolds({ kind: "event_property_is", key: "content.m\\.federate", value: true },
      ev("m.room.create", { "m.federate": v ?? null }), ctx());
    assert.equal(not("true"), false);
    assert.equal(not(1), false);
    assert.equal(conditionHolds({ kind: "event_property_is", key: "content.m.federate", value: true }, create, ctx()), false, "unescaped dot is a path");
    assert.equal(conditionHolds({ kind: "event_property_is", key: "content.x", value: null }, ev("t", { x: null }), ctx()), true);
    assert.equal(conditionHolds({ kind: "event_property_is", key: "content.x", value: { a: 1 } }, ev("t", { x: { a: 1 } }), ctx()), false);
  });

  it("event_property_contains: exact array members only", () => {
    const alias = ev("m.room.canonical_alias", { alias: "#somewhere:localhost", alt_aliases: ["#somewhere:example.org", "#myroom:example.com"] });
    assert.equal(conditionHolds({ kind: "event_property_contains", key: "content.alt_aliases", value: "#myroom:example.com" }, alias, ctx()), true);
    assert.equal(conditionHolds({ kind: "event_property_contains", key: "content.alt_aliases", value: ":example.com" }, alias, ctx()), false);
    assert.equal(conditionHolds({ kind: "event_property_contains", key: "content.alias", value: "#somewhere:localhost" }, alias, ctx()), false);
  });

  it("room_member_count with ==, <, >, <=, >= and rejects nonsense", () => {
    assert.deepEqual(["2", "==2", "<3", ">1", "<=2", ">=2", "<2", ">2", "=2", "two", ""].map((is) => memberCountMatches(is, 2)),
      [true, true, true, true, true, true, false, false, false, false, false]);
  });

  it("sender_notification_permission, contains_display_name, unknown kinds", () => {
    const perm = { kind: "sender_notification_permission", key: "room" };
    assert.equal(conditionHolds(perm, msg("x"), ctx({ senderPowerLevel: 50 })), true);
    assert.equal(conditionHolds(perm, msg("x"), ctx({ senderPowerLevel: 49 })), false);
    assert.equal(conditionHolds(perm, msg("x"), ctx({ senderPowerLevel: 10, notificationLevels: new Map([["room", 10]]) })), true);
    const dn = { kind: "contains_display_name" };
    assert.equal(conditionHolds(dn, msg("merci alice martin !"), ctx()), true);
    assert.equal(conditionHolds(dn, msg("merci alice martine"), ctx()), false);
    assert.equal(conditionHolds(dn, msg("A.B* (maire) bonjour"), ctx({ displayName: "A.B* (maire)" })), true, "the name is literal");
    assert.equal(conditionHolds(dn, msg("A.Bxx (maire)"), ctx({ displayName: "A.B* (maire)" })), false);
    assert.equal(conditionHolds(dn, msg("alice"), ctx({ displayName: undefined })), false);
    assert.equal(conditionHolds({ kind: "org.example.future" }, msg("x"), ctx()), false);
  });
});

describe("default push rules, one by one", () => {
  it(".m.rule.master: off by default, when enabled nothing notifies", () => {
    assert.equal(rule(msg("hello")), ".m.rule.message");
    const muted = updateRule(rules, "override", ".m.rule.master", { enabled: true });
    const o = evaluatePushRules(muted, msg("alice"), ctx());
    assert.equal(o?.ruleId, ".m.rule.master");
    assert.equal(o?.notify, false);
  });

  it("override rules", () => {
    assert.equal(rule(msg("alice", { msgtype: "m.notice" })), ".m.rule.suppress_notices");
    const invite = ev("m.room.member", { membership: "invite" }, { state_key: ME });
    assert.deepEqual(readActions(evaluatePushRules(rules, invite, ctx())?.actions ?? []), { notify: true, highlight: false, sound: "default" });
    assert.equal(rule(invite), ".m.rule.invite_for_me");
    assert.equal(rule(ev("m.room.member", { membership: "invite" }, { state_key: "@carol:ville-a.fr" })), ".m.rule.member_event");
    assert.equal(rule(ev("m.room.member", { membership: "join" }, { state_key: "@bob:ville-b.fr" })), ".m.rule.member_event");
    assert.equal(rule(msg("ping", { "m.mentions": { user_ids: [ME] } })), ".m.rule.is_user_mention");
    assert.equal(rule(msg("bonjour Alice Martin")), ".m.rule.contains_display_name");
    assert.equal(rule(msg("réunion", { "m.mentions": { room: true } }), ctx({ senderPowerLevel: 50 })), ".m.rule.is_room_mention");
    assert.equal(rule(msg("réunion", { "m.mentions": { room: true } })), ".m.rule.message", "no power, no room mention");
    assert.equal(rule(msg("@room réunion"), ctx({ senderPowerLevel: 100 })), ".m.rule.roomnotif");
    assert.equal(rule(msg("@room réunion")), ".m.rule.message");
    assert.equal(rule(ev("m.room.tombstone", { body: "moved", replacement_room: "!n:x" }, { state_key: "" })), ".m.rule.tombstone");
    assert.equal(rule(ev("m.room.tombstone", { body: "moved" }, { state_key: "x" })), undefined, "no state_key condition, no match");
    assert.equal(rule(ev("m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "👍" } })), ".m.rule.reaction");
    assert.equal(rule(ev("m.room.server_acl", { allow: ["*"] }, { state_key: "" })), ".m.rule.room.server_acl");
    assert.equal(rule(msg("* alice", { "m.relates_to": { rel_type: "m.replace", event_id: "$x" }, "m.new_content": { body: "alice" } })),
      ".m.rule.suppress_edits");
  });

  it("legacy mention rules only apply without m.mentions (v1.7)", () => {
    assert.equal(rule(msg("Alice Martin alice @room", { "m.mentions": {} }), ctx({ senderPowerLevel: 100 })), ".m.rule.message");
    assert.equal(rule(msg("hey alice")), ".m.rule.contains_user_name");
  });

  it(".m.rule.contains_user_name: the localpart at word boundaries", () => {
    const o = evaluatePushRules(rules, msg("ALICE: on y va"), ctx({ displayName: "Zoé" }));
    assert.deepEqual([o?.kind, o?.ruleId, o?.highlight, o?.sound], ["content", ".m.rule.contains_user_name", true, "default"]);
    assert.equal(rule(msg("malice"), ctx({ displayName: "Zoé" })), ".m.rule.message");
  });

  it("underride rules", () => {
    const two = ctx({ memberCount: 2 });
    assert.equal(rule(ev("m.call.invite", { call_id: "c" })), ".m.rule.call");
    assert.equal(evaluatePushRules(rules, ev("m.call.invite", {}), ctx())?.sound, "ring");
    assert.equal(rule(ev("m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2" }), two), ".m.rule.encrypted_room_one_to_one");
    assert.equal(rule(msg("hello"), two), ".m.rule.room_one_to_one");
    assert.equal(rule(msg("hello")), ".m.rule.message");
    assert.equal(evaluatePushRules(rules, msg("hello"), ctx())?.sound, undefined);
    assert.equal(rule(ev("m.room.encrypted", {})), ".m.rule.encrypted");
    assert.equal(rule(ev("org.matrix.msc3381.poll.start", {}), two), ".m.rule.poll_start_one_to_one");
    assert.equal(rule(ev("org.matrix.msc3381.poll.start", {})), ".m.rule.poll_start");
    assert.equal(rule(ev("org.matrix.msc3381.poll.end", {}), two), ".m.rule.poll_end_one_to_one");
    assert.equal(rule(ev("org.matrix.msc3381.poll.end", {})), ".m.rule.poll_end");
    assert.equal(rule(ev("m.room.topic", { topic: "x" }, { state_key: "" })), undefined);
  });
});

describe("user rules (spec push rule API examples) and Element's mute settings", () => {
  const put = (kind: "override" | "content" | "room" | "sender" | "underride", id: string, body: JsonObject, pos = {}): ReturnType<typeof effectiveRuleset> =>
    putUserRule(rules, kind, userRuleFromBody(kind, id, body), pos);

  it("a room rule with [] mutes the room; an override on room_id with [] mutes it whatever the mention", () => {
    const muted = put("room", ROOM, { actions: [] });
    assert.equal(evaluatePushRules(muted, msg("hello"), ctx())?.notify, false);
    assert.equal(evaluatePushRules(muted, msg("hello"), ctx())?.ruleId, ROOM);
    assert.equal(evaluatePushRules(muted, msg("hey alice"), ctx())?.ruleId, ".m.rule.contains_user_name", "content outranks room");
    const silenced = put("override", ROOM, { conditions: [{ kind: "event_match", key: "room_id", pattern: ROOM }], actions: [] });
    assert.equal(evaluatePushRules(silenced, msg("hey alice", { "m.mentions": { user_ids: [ME] } }), ctx())?.notify, false);
    // Element's "mentions and keywords" for a room: room rule with dont_notify
    const quiet = put("room", ROOM, { actions: ["dont_notify"] });
    assert.equal(evaluatePushRules(quiet, msg("hello"), ctx())?.notify, false);
  });

  it("a sender rule with [] mutes a spammer", () => {
    const rs = put("sender", "@bob:ville-b.fr", { actions: [] });
    assert.equal(evaluatePushRules(rs, msg("hello"), ctx())?.ruleId, "@bob:ville-b.fr");
  });

  it("content rules 'cake' and 'cake*lie'; override beer in rooms of 10 or fewer", () => {
    let rs = put("content", "SSByZWFsbHkgbGlrZSBjYWtl", { pattern: "cake", actions: ["notify", { set_tweak: "sound", value: "cakealarm.wav" }] });
    rs = putUserRule(rs, "content", userRuleFromBody("content", "U3BvbmdlIGNha2UgaXMgYmVzdA", { pattern: "cake*lie", actions: ["notify"] }),
      { before: "SSByZWFsbHkgbGlrZSBjYWtl" });
    assert.equal(evaluatePushRules(rs, msg("the cake is a lie"), ctx())?.ruleId, "U3BvbmdlIGNha2UgaXMgYmVzdA");
    assert.equal(evaluatePushRules(rs, msg("some cake please"), ctx())?.sound, "cakealarm.wav");
    assert.equal(evaluatePushRules(rs, msg("cupcake"), ctx())?.ruleId, ".m.rule.message");
    rs = putUserRule(rs, "override", userRuleFromBody("override", "U2VlIHlvdSBpbiBUaGUgRHVrZQ", {
      conditions: [{ kind: "event_match", key: "content.body", pattern: "beer" }, { kind: "room_member_count", is: "<=10" }],
      actions: ["notify", { set_tweak: "sound", value: "beeroclock.wav" }],
    }), {});
    assert.equal(evaluatePushRules(rs, msg("Beer time"), ctx())?.sound, "beeroclock.wav");
    assert.equal(evaluatePushRules(rs, msg("Beer time"), ctx({ memberCount: 11 }))?.ruleId, ".m.rule.message");
  });

  it("disabled rules are skipped; a rule with no conditions always matches", () => {
    const off = updateRule(rules, "underride", ".m.rule.message", { enabled: false });
    assert.equal(evaluatePushRules(off, msg("hello"), ctx()), undefined);
    const all = put("override", "all", { conditions: [], actions: ["notify", { set_tweak: "highlight", value: false }] });
    assert.deepEqual(readActions(evaluatePushRules(all, msg("@room alice"), ctx())?.actions ?? []), { notify: true, highlight: false, sound: undefined });
  });
});

describe("one condition memo for all recipients of an event", () => {
  it("gives each recipient the answer their own rules give", () => {
    const users = ["@alice:ville-a.fr", "@bob:ville-a.fr", "@carole:ville-a.fr"];
    const events = [
      msg("bob et carole ?", { "m.mentions": { user_ids: ["@bob:ville-a.fr"] } }),
      msg("bonjour carole"),
      msg("@room bonjour", { "m.mentions": { room: true } }),
      ev("m.room.member", { membership: "invite" }, { state_key: "@carole:ville-a.fr" }),
      msg("rien"),
    ];
    for (const e of events) {
      const shared = new EventConditionMemo();
      for (const u of users) {
        const c = ctx({ userId: u, displayName: u.slice(1, u.indexOf(":")), senderPowerLevel: 100 });
        assert.deepEqual(evaluatePushRules(defaultPushRules(u), e, c, shared), evaluatePushRules(defaultPushRules(u), e, c), `${u}: ${JSON.stringify(e)}`);
      }
    }
  });

  it("matches each recipient's localpart in a body lowercased once", () => {
    const shared = new EventConditionMemo();
    const e = msg("Merci BOB, et toi Carole_x");
    const ruleOf = (u: string): string | undefined => evaluatePushRules(defaultPushRules(u), e, ctx({ userId: u, displayName: undefined }), shared)?.ruleId;
    assert.equal(ruleOf("@alice:ville-a.fr"), ".m.rule.message");
    assert.equal(ruleOf("@bob:ville-a.fr"), ".m.rule.contains_user_name");
    assert.equal(ruleOf("@carole:ville-a.fr"), ".m.rule.message", "carole_x is another word");
  });
});

describe("rulesets compiled once, one memo per event shared by its recipients", () => {
  it("each ruleset object answers with its own rules, whatever was evaluated before", () => {
    const e = msg("bonjour à tous");
    assert.equal(rule(e), ".m.rule.message");
    // a ruleset built from the first (updateRule returns a new object): its own answer, and the first keeps its own
    const noMessage = updateRule(rules, "underride", ".m.rule.message", { enabled: false });
    assert.equal(evaluatePushRules(noMessage, e, ctx()), undefined);
    assert.equal(rule(e), ".m.rule.message");
    const loud = updateRule(rules, "underride", ".m.rule.message", { actions: ["notify", { set_tweak: "sound", value: "default" }] });
    assert.equal(evaluatePushRules(loud, e, ctx())?.sound, "default");
    assert.equal(evaluatePushRules(rules, e, ctx())?.sound, undefined);
  });

  it("a shared memo gives each recipient their own mention, name and localpart answers", () => {
    const users = ["@alice:ville-a.fr", "@zoe:ville-a.fr", "@marc:ville-a.fr", "@lea:ville-a.fr"];
    const names: Record<string, string> = { "@alice:ville-a.fr": "Alice Martin", "@zoe:ville-a.fr": "Zoé", "@marc:ville-a.fr": "Marc D.", "@lea:ville-a.fr": "Léa" };
    const rulesets = users.map((u) => defaultPushRules(u));
    const cases: [JsonObject, (string | undefined)[]][] = [
      [msg("Zoé, tu viens ? alice aussi"), [".m.rule.contains_user_name", ".m.rule.contains_display_name", ".m.rule.message", ".m.rule.message"]],
      [msg("merci MARC D. et léa", {}), [".m.rule.message", ".m.rule.message", ".m.rule.contains_display_name", ".m.rule.contains_display_name"]],
      [msg("ping", { "m.mentions": { user_ids: ["@marc:ville-a.fr"] } }), [".m.rule.message", ".m.rule.message", ".m.rule.is_user_mention", ".m.rule.message"]],
      [ev("m.room.member", { membership: "invite" }, { state_key: "@lea:ville-a.fr" }), [".m.rule.member_event", ".m.rule.member_event", ".m.rule.member_event", ".m.rule.invite_for_me"]],
    ];
    for (const [e, expected] of cases) {
      const memo = new EventConditionMemo();
      // twice with the same memo: the second pass answers from it
      for (let pass = 0; pass < 2; pass++) {
        const got = users.map((u, i) => evaluatePushRules(rulesets[i]!, e, ctx({ userId: u, displayName: names[u] }), memo)?.ruleId);
        assert.deepEqual(got, expected, JSON.stringify(e["content"]));
      }
    }
  });

  it("rules not reading the recipient run once per template: each recipient still gets their own answer", () => {
    const u = (name: string): string => `@${name}:ville-a.fr`;
    const muteRoom = userRuleFromBody("room", ROOM, { actions: [] });
    const population: [string, ReturnType<typeof defaultPushRules>][] = [
      [u("alice"), defaultPushRules(u("alice"))],
      [u("bob"), defaultPushRules(u("bob"))],
      // the same rules as defaults but built from stored account data (another object)
      [u("carole"), effectiveRuleset(u("carole"), { global: defaultPushRules(u("carole")) })],
      [u("muet"), putUserRule(defaultPushRules(u("muet")), "room", muteRoom, {})],
      [u("maitre"), updateRule(defaultPushRules(u("maitre")), "override", ".m.rule.master", { enabled: true })],
      [u("gateau"), putUserRule(defaultPushRules(u("gateau")), "content", userRuleFromBody("content", "cake", { pattern: "gâteau", actions: ["notify", { set_tweak: "highlight" }] }), {})],
      [u("calme"), updateRule(defaultPushRules(u("calme")), "underride", ".m.rule.message", { enabled: false })],
      // a user rule naming another user's id: literal for its owner, not a personal rule
      [u("veille"), putUserRule(defaultPushRules(u("veille")), "override", userRuleFromBody("override", "bob-cite", {
        conditions: [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: u("bob") }], actions: ["notify", { set_tweak: "sound", value: "bob" }] }), {})],
      // a value equal to the marker a template gives the user's own id is still a literal
      [u("nul"), putUserRule(defaultPushRules(u("nul")), "override", userRuleFromBody("override", "marqueur", {
        conditions: [{ kind: "event_match", key: "content.body", pattern: "\u0000user" }], actions: ["dont_notify"] }), {})],
      // the same rule holding its owner's own id: personal, another template than the one above
      [u("soi"), putUserRule(defaultPushRules(u("soi")), "override", userRuleFromBody("override", "marqueur", {
        conditions: [{ kind: "event_match", key: "content.body", pattern: u("soi") }], actions: ["dont_notify"] }), {})],
    ];
    const names: Record<string, string> = { [u("alice")]: "Alice Martin", [u("bob")]: "Robert", [u("muet")]: "Muet", [u("gateau")]: "Chef" };
    const events = [
      msg("bonjour à tous"),
      msg("alice, bob : le gâteau est prêt"),
      msg("Robert ? Chef ?"),
      msg("ping", { "m.mentions": { user_ids: [u("bob"), u("carole")] } }),
      msg("@room réunion", { "m.mentions": { room: true } }),
      msg("@room réunion"),
      msg("ceci \u0000user"),
      ev("m.room.member", { membership: "invite" }, { state_key: u("carole") }),
      ev("m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2" }),
      msg("* modifié", { "m.relates_to": { rel_type: "m.replace", event_id: "$x" } }),
      msg("avis", { msgtype: "m.notice" }),
    ];
    // the same memo across room facts too: a one-to-one room, then a bigger one, the sender's power moving
    const factsList = [{ memberCount: 2, senderPowerLevel: 0 }, { memberCount: 5, senderPowerLevel: 0 }, { memberCount: 5, senderPowerLevel: 100 }];
    for (const e of events) {
      const memo = new EventConditionMemo();
      for (const facts of factsList) {
        const levels = new Map([["room", 50]]);
        for (let pass = 0; pass < 2; pass++) {
          for (const [userId, rs] of population) {
            const c = ctx({ userId, displayName: names[userId], ...facts, notificationLevels: levels });
            assert.deepEqual(evaluatePushRules(rs, e, c, memo), evaluatePushRules(rs, e, c), `${userId} ${JSON.stringify(facts)}: ${JSON.stringify(e["content"])}`);
          }
        }
      }
    }
  });

  it("room_member_count: each `is` parsed once, each count compared", () => {
    for (let n = 0; n < 3; n++) {
      assert.deepEqual(["2", "<3", ">=2", "two"].map((is) => memberCountMatches(is, n)), [n === 2, n < 3, n >= 2, false]);
    }
  });

  it("keeps what it interns small whatever the rulesets: users' long keywords and whole rulesets are held by digest (review R1)", () => {
    const before = internedKeyChars();
    for (let i = 0; i < 200; i++) {
      const user = `@agent${i}:ville-a.fr`;
      const rs = putUserRule(defaultPushRules(user), "content", userRuleFromBody("content", `kw${i}`, { pattern: `${"marché public ".repeat(300)}${i}`, actions: ["notify"] }), {});
      evaluatePushRules(rs, msg("rien à voir"), ctx({ userId: user }));
    }
    const after = internedKeyChars();
    const added = after.chars - before.chars;
    const entries = after.entries - before.entries;
    assert.ok(entries >= 200, `a template and a keyword per user: ${entries}`);
    assert.ok(added / entries <= 64, `≤ 64 characters per interned entry: ${(added / entries).toFixed(0)}`);
  });
});
