// The server-default push rules of spec v1.16, in the order the spec lists them (plus the poll
// rules of MSC3930 at the end of underride).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#predefined-rules
import type { JsonObject, JsonValue } from "../../room/pdu.ts";

export type PushKind = "override" | "content" | "room" | "sender" | "underride";
/** The kinds in the order they are evaluated. */
export const PUSH_KINDS: readonly PushKind[] = ["override", "content", "room", "sender", "underride"];

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: JsonValue[];
  /** override and underride rules only. */
  conditions?: JsonObject[];
  /** content rules only. */
  pattern?: string;
}

export type PushRuleset = Record<PushKind, PushRule[]>;

const SOUND_DEFAULT: JsonObject = { set_tweak: "sound", value: "default" };
const HIGHLIGHT: JsonObject = { set_tweak: "highlight" };
const match = (key: string, pattern: string): JsonObject => ({ kind: "event_match", key, pattern });
const rule = (rule_id: string, conditions: JsonObject[], actions: JsonValue[], enabled = true): PushRule =>
  ({ rule_id, default: true, enabled, conditions, actions });

export function defaultOverrideRules(userId: string): PushRule[] {
  return [
    rule(".m.rule.master", [], [], false),
    rule(".m.rule.suppress_notices", [match("content.msgtype", "m.notice")], []),
    rule(".m.rule.invite_for_me", [match("type", "m.room.member"), match("content.membership", "invite"), match("state_key", userId)],
      ["notify", SOUND_DEFAULT]),
    rule(".m.rule.member_event", [match("type", "m.room.member")], []),
    rule(".m.rule.is_user_mention", [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: userId }],
      ["notify", SOUND_DEFAULT, HIGHLIGHT]),
    rule(".m.rule.contains_display_name", [{ kind: "contains_display_name" }], ["notify", SOUND_DEFAULT, HIGHLIGHT]),
    rule(".m.rule.is_room_mention",
      [{ kind: "event_property_is", key: "content.m\\.mentions.room", value: true }, { kind: "sender_notification_permission", key: "room" }],
      ["notify", HIGHLIGHT]),
    rule(".m.rule.roomnotif", [match("content.body", "@room"), { kind: "sender_notification_permission", key: "room" }], ["notify", HIGHLIGHT]),
    rule(".m.rule.tombstone", [match("type", "m.room.tombstone"), match("state_key", "")], ["notify", HIGHLIGHT]),
    rule(".m.rule.reaction", [match("type", "m.reaction")], []),
    rule(".m.rule.room.server_acl", [match("type", "m.room.server_acl"), match("state_key", "")], []),
    rule(".m.rule.suppress_edits", [{ kind: "event_property_is", key: "content.m\\.relates_to.rel_type", value: "m.replace" }], []),
  ];
}

export function defaultContentRules(userId: string): PushRule[] {
  const localpart = userId.slice(1, userId.indexOf(":"));
  return [{ rule_id: ".m.rule.contains_user_name", default: true, enabled: true, pattern: localpart, actions: ["notify", SOUND_DEFAULT, HIGHLIGHT] }];
}

const POLL_START = "org.matrix.msc3381.poll.start";
const POLL_END = "org.matrix.msc3381.poll.end";

export function defaultUnderrideRules(): PushRule[] {
  const oneToOne: JsonObject = { kind: "room_member_count", is: "2" };
  return [
    rule(".m.rule.call", [match("type", "m.call.invite")], ["notify", { set_tweak: "sound", value: "ring" }]),
    rule(".m.rule.encrypted_room_one_to_one", [oneToOne, match("type", "m.room.encrypted")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.room_one_to_one", [oneToOne, match("type", "m.room.message")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.message", [match("type", "m.room.message")], ["notify"]),
    rule(".m.rule.encrypted", [match("type", "m.room.encrypted")], ["notify"]),
    // Polls (MSC3930, what Synapse and Element ship): like messages, with the unstable event types
    // Element sends. Without them a poll in a DM would not notify.
    rule(".m.rule.poll_start_one_to_one", [oneToOne, match("type", POLL_START)], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.poll_start", [match("type", POLL_START)], ["notify"]),
    rule(".m.rule.poll_end_one_to_one", [oneToOne, match("type", POLL_END)], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.poll_end", [match("type", POLL_END)], ["notify"]),
  ];
}

/** The whole default ruleset of a user (server-default rules only). */
export function defaultPushRules(userId: string): PushRuleset {
  return { override: defaultOverrideRules(userId), content: defaultContentRules(userId), room: [], sender: [], underride: defaultUnderrideRules() };
}
