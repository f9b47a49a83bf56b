// Authorisation rules for m.room.member events (rule 4 in v6–v11, rule 5 in v12).
// Spec: https://spec.matrix.org/v1.16/rooms/v11/#authorisation-rules
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules
// Sub-rule numbers follow each version's list: v8 inserted rule x.2 (join_authorised_via_users_server)
// and v7 inserted the knock rule, so later numbers move with the flags.

import type { JsonObject, JsonValue } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import type { AuthVerdict } from "./check-auth.ts";
import { ALLOW, membershipOf, powerOf, reject, stateEvent } from "./auth-context.ts";
import type { AuthContext } from "./auth-context.ts";
import { JOIN_RULES, THIRD_PARTY_INVITE } from "./auth-event-types.ts";
import { domainOf, isJsonObject, roomCreator } from "./power-levels.ts";

const VIA = "join_authorised_via_users_server";

function memberSteps(v: RoomVersion): { join: number; invite: number; leave: number; ban: number; unknown: number } {
  const join = v.restrictedJoins ? 3 : 2;
  return { join, invite: join + 1, leave: join + 2, ban: join + 3, unknown: join + (v.knocking ? 5 : 4) };
}

export function checkMember(ctx: AuthContext): AuthVerdict {
  const r = ctx.top(4);
  const { pdu, version } = ctx;
  const membership = pdu.content["membership"];
  const target = pdu.state_key;
  if (target === undefined || membership === undefined) {
    return reject(`${r}.1`, "m.room.member event without state_key or content.membership");
  }
  if (version.restrictedJoins && Object.hasOwn(pdu.content, VIA)) {
    const via = pdu.content[VIA];
    const domain = typeof via === "string" ? domainOf(via) : undefined;
    // Cryptographic verification happens with the other signature checks on receipt; here the
    // authorising server's signature must at least be present.
    const signatures = domain === undefined ? undefined : pdu.signatures[domain];
    if (signatures === undefined || Object.keys(signatures).length === 0) {
      return reject(`${r}.2.1`, `${VIA} is not a user whose server signed the event`);
    }
  }
  const steps = memberSteps(version);
  switch (membership) {
    case "join": return checkJoin(ctx, `${r}.${steps.join}`, target);
    case "invite": return checkInvite(ctx, `${r}.${steps.invite}`, target);
    case "leave": return checkLeave(ctx, `${r}.${steps.leave}`, target);
    case "ban": return checkBan(ctx, `${r}.${steps.ban}`, target);
    case "knock":
      if (version.knocking) return checkKnock(ctx, `${r}.${steps.ban + 1}`, target);
      break;
  }
  return reject(`${r}.${steps.unknown}`, `unknown membership ${JSON.stringify(membership)}`);
}

/**
 * The room's join rule. Without a join rules event (or a usable `join_rule`) we use "invite", as
 * the deployed implementations do, so that state resolution converges with them.
 */
function joinRuleOf(ctx: AuthContext): string {
  const rule = stateEvent(ctx, JOIN_RULES, "")?.pdu.content["join_rule"];
  return typeof rule === "string" ? rule : "invite";
}

function checkJoin(ctx: AuthContext, s: string, target: string): AuthVerdict {
  const { pdu, create, version } = ctx;
  if (pdu.prev_events.length === 1 && pdu.prev_events[0] === create.eventId && target === roomCreator(create, version)) {
    return ALLOW;
  }
  if (pdu.sender !== target) return reject(`${s}.2`, "join sent on behalf of another user");
  const current = membershipOf(ctx, target);
  if (current === "ban") return reject(`${s}.3`, "sender is banned");
  const rule = joinRuleOf(ctx);
  const invitedOrJoined = current === "invite" || current === "join";
  if ((rule === "invite" || (version.knocking && rule === "knock")) && invitedOrJoined) return ALLOW;
  if (version.restrictedJoins) {
    if (rule === "restricted" || (version.knockRestricted && rule === "knock_restricted")) {
      return checkRestrictedJoin(ctx, `${s}.5`, invitedOrJoined);
    }
  }
  if (rule === "public") return ALLOW;
  return reject(`${s}.${version.restrictedJoins ? 7 : 6}`, `join rule "${rule}" does not let the sender join`);
}

function checkRestrictedJoin(ctx: AuthContext, s: string, invitedOrJoined: boolean): AuthVerdict {
  if (invitedOrJoined) return ALLOW;
  const via = ctx.pdu.content[VIA];
  if (typeof via !== "string" || membershipOf(ctx, via) !== "join") {
    return reject(`${s}.2`, `${VIA} is not a joined member of the room`);
  }
  if (powerOf(ctx, via) < ctx.levels.invite) return reject(`${s}.2`, `${VIA} may not invite users`);
  return ALLOW;
}

function checkInvite(ctx: AuthContext, s: string, target: string): AuthVerdict {
  const { pdu } = ctx;
  if (Object.hasOwn(pdu.content, "third_party_invite")) {
    return checkThirdPartyInvite(ctx, `${s}.1`, target, pdu.content["third_party_invite"]);
  }
  if (membershipOf(ctx, pdu.sender) !== "join") return reject(`${s}.2`, "inviter is not joined to the room");
  const current = membershipOf(ctx, target);
  if (current === "join" || current === "ban") return reject(`${s}.3`, `target user is already ${current}`);
  if (powerOf(ctx, pdu.sender) >= ctx.levels.invite) return ALLOW;
  return reject(`${s}.5`, "sender's power level is below the invite level");
}

function checkThirdPartyInvite(ctx: AuthContext, s: string, target: string, tpi: JsonValue | undefined): AuthVerdict {
  if (membershipOf(ctx, target) === "ban") return reject(`${s}.1`, "target user is banned");
  if (!isJsonObject(tpi) || !Object.hasOwn(tpi, "signed")) return reject(`${s}.2`, "third_party_invite has no signed");
  const signed = tpi["signed"];
  if (!isJsonObject(signed) || typeof signed["mxid"] !== "string" || typeof signed["token"] !== "string") {
    return reject(`${s}.3`, "third_party_invite.signed lacks mxid or token");
  }
  if (signed["mxid"] !== target) return reject(`${s}.4`, "third_party_invite.signed.mxid is not the state_key");
  const invite = stateEvent(ctx, THIRD_PARTY_INVITE, signed["token"]);
  if (invite === undefined) return reject(`${s}.5`, "no m.room.third_party_invite for this token");
  if (invite.pdu.sender !== ctx.pdu.sender) return reject(`${s}.6`, "sender did not send the m.room.third_party_invite");
  const verify = ctx.opts.verifyThirdPartyInvite;
  if (verify !== undefined && verify(signed, publicKeysOf(invite.pdu.content))) return ALLOW;
  return reject(`${s}.8`, "no signature in third_party_invite.signed matches the invite's public keys");
}

/** `public_key` plus each `public_keys[].public_key` of an m.room.third_party_invite. */
function publicKeysOf(content: JsonObject): string[] {
  const keys: string[] = [];
  if (typeof content["public_key"] === "string") keys.push(content["public_key"]);
  const list = content["public_keys"];
  if (Array.isArray(list)) {
    for (const entry of list) {
      if (isJsonObject(entry) && typeof entry["public_key"] === "string") keys.push(entry["public_key"]);
    }
  }
  return keys;
}

function checkLeave(ctx: AuthContext, s: string, target: string): AuthVerdict {
  const { pdu, version } = ctx;
  const senderMembership = membershipOf(ctx, pdu.sender);
  if (pdu.sender === target) {
    const mayLeave = senderMembership === "invite" || senderMembership === "join"
      || (version.knocking && senderMembership === "knock");
    return mayLeave ? ALLOW : reject(`${s}.1`, `cannot leave with membership ${senderMembership ?? "none"}`);
  }
  if (senderMembership !== "join") return reject(`${s}.2`, "sender is not joined to the room");
  const senderPower = powerOf(ctx, pdu.sender);
  if (membershipOf(ctx, target) === "ban" && senderPower < ctx.levels.ban) {
    return reject(`${s}.3`, "sender's power level is below the ban level (unban)");
  }
  if (senderPower >= ctx.levels.kick && powerOf(ctx, target) < senderPower) return ALLOW;
  return reject(`${s}.5`, "sender may not kick the target user");
}

function checkBan(ctx: AuthContext, s: string, target: string): AuthVerdict {
  const { pdu } = ctx;
  if (membershipOf(ctx, pdu.sender) !== "join") return reject(`${s}.1`, "sender is not joined to the room");
  const senderPower = powerOf(ctx, pdu.sender);
  if (senderPower >= ctx.levels.ban && powerOf(ctx, target) < senderPower) return ALLOW;
  return reject(`${s}.3`, "sender may not ban the target user");
}

function checkKnock(ctx: AuthContext, s: string, target: string): AuthVerdict {
  const { pdu, version } = ctx;
  const rule = joinRuleOf(ctx);
  if (rule !== "knock" && !(version.knockRestricted && rule === "knock_restricted")) {
    return reject(`${s}.1`, `join rule "${rule}" does not allow knocking`);
  }
  if (pdu.sender !== target) return reject(`${s}.2`, "knock sent on behalf of another user");
  const current = membershipOf(ctx, pdu.sender);
  if (current !== "ban" && current !== "invite" && current !== "join") return ALLOW;
  return reject(`${s}.4`, `cannot knock with membership ${current}`);
}
