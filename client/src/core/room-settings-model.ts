// Room settings as agents see them: roles instead of power levels, who may join (invitation,
// members of the working group's space, anyone with the link), what the signed-in agent may
// change. Pure: the SDK adapter (room-settings-sdk.ts) reads the state, this decides.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels, #mroomjoin_rules
import { isRecord } from "./raw-event.ts";

export type Role = "owner" | "admin" | "moderator" | "member" | "custom";
/** The levels Element also uses, so roles read the same in both clients. */
export const ROLE_LEVEL = { admin: 100, moderator: 50, member: 0 } as const;
export type AssignableRole = keyof typeof ROLE_LEVEL;

/** Room version 12 (and its unstable hydra name): creators rank above every power level (MSC4289). */
const CREATORS_PRIVILEGED = new Set(["12", "org.matrix.hydra.11"]);

export function roleOf(level: number): Role {
  if (level === Infinity) return "owner";
  if (level === ROLE_LEVEL.admin) return "admin";
  if (level === ROLE_LEVEL.moderator) return "moderator";
  if (level === ROLE_LEVEL.member) return "member";
  return "custom";
}

/** What this device can vouch for about a member (crypto, read by member-trust-sdk.ts). */
export interface MemberTrust { identityVerified: boolean; unverifiedDevices: number }

export interface MemberInfo {
  userId: string; name: string; powerLevel: number; membership: "join" | "invite";
  /** Whether the signed-in agent may remove (kick) / ban this member (power levels, spec auth rules). */
  canKick?: boolean; canBan?: boolean;
}

/** Someone banned from the room, with the reason given, and whether I may lift the ban. */
export interface BannedMember { userId: string; name: string; reason: string; canUnban: boolean }

export type ModerationAction = { kind: "kick" | "ban"; userId: string; reason: string } | { kind: "unban"; userId: string };

/** The join rules this client offers; others (knock...) are shown as they are, not offered. */
export type JoinRuleChoice = "invite" | "restricted" | "public";

export interface RoomSettings {
  roomId: string;
  name: string;
  topic: string;
  encrypted: boolean;
  joinRule: string;
  /** Spaces whose members may join (join rule "restricted"). */
  allowSpaces: readonly string[];
  /** Spaces this room is in (m.space.parent), with their names: what "members of the space" means. */
  parentSpaces: readonly { roomId: string; name: string }[];
  members: readonly MemberInfo[];
  banned: readonly BannedMember[];
  /** The room's image (m.room.avatar url, mxc://), if any. */
  avatarUrl: string | undefined;
  myLevel: number;
  canChangeName: boolean;
  canChangeTopic: boolean;
  canChangeAvatar: boolean;
  canInvite: boolean;
  canChangeJoinRule: boolean;
  canChangeRoles: boolean;
}

const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isInteger(v) ? v : fallback);

/** Parsed m.room.power_levels content (untrusted), with the spec's defaults. */
export interface PowerLevels { users: Map<string, number>; usersDefault: number; events: Map<string, number>; stateDefault: number; invite: number; kick: number; ban: number; creators: ReadonlySet<string> }

/** The room's creators when its version makes them owners: the create event's sender and additional_creators. */
export function privilegedCreators(create: { sender: string; content: unknown } | undefined): Set<string> {
  const c = isRecord(create?.content) ? create.content : {};
  if (create === undefined || !CREATORS_PRIVILEGED.has(typeof c["room_version"] === "string" ? c["room_version"] : "1")) return new Set();
  const more = Array.isArray(c["additional_creators"]) ? c["additional_creators"].filter((x): x is string => typeof x === "string") : [];
  return new Set([create.sender, ...more]);
}

export function parsePowerLevels(content: unknown, creators: ReadonlySet<string> = new Set()): PowerLevels {
  const c = isRecord(content) ? content : {};
  const map = (v: unknown): Map<string, number> =>
    new Map(isRecord(v) ? Object.entries(v).flatMap(([k, x]) => (typeof x === "number" && Number.isInteger(x) ? [[k, x] as const] : [])) : []);
  return { users: map(c["users"]), usersDefault: num(c["users_default"], 0), events: map(c["events"]), stateDefault: num(c["state_default"], 50), invite: num(c["invite"], 0), kick: num(c["kick"], 50), ban: num(c["ban"], 50), creators };
}

export const levelOf = (pl: PowerLevels, userId: string): number => (pl.creators.has(userId) ? Infinity : pl.users.get(userId) ?? pl.usersDefault);
export const stateLevel = (pl: PowerLevels, type: string): number => pl.events.get(type) ?? pl.stateDefault;

/** Whether `me` may give `target` the level `to` (spec: power level changes). */
export function canSetLevel(pl: PowerLevels, me: string, target: string, to: number): boolean {
  const mine = levelOf(pl, me);
  if (mine < stateLevel(pl, "m.room.power_levels") || to > mine || !Number.isFinite(to)) return false;
  if (pl.creators.has(target)) return false;
  return target === me || levelOf(pl, target) < mine;
}

/** Spec auth rules (m.room.member, leave of someone else): at least the kick level, and above the target. */
export function canKick(pl: PowerLevels, me: string, target: string): boolean {
  const mine = levelOf(pl, me);
  return target !== me && mine >= pl.kick && levelOf(pl, target) < mine;
}

/** Spec auth rules (membership ban): at least the ban level, and above the target. */
export function canBan(pl: PowerLevels, me: string, target: string): boolean {
  const mine = levelOf(pl, me);
  return target !== me && mine >= pl.ban && levelOf(pl, target) < mine;
}

/** Lifting a ban is a leave of a banned member: the ban level, the kick level, and above the target. */
export function canUnban(pl: PowerLevels, me: string, target: string): boolean {
  return canBan(pl, me, target) && canKick(pl, me, target);
}

/** A room name or topic as typed: trimmed; a name cannot be blank, a topic may be cleared. */
export function roomProfileChange(current: { name: string; topic: string }, typed: { name: string; topic: string }): { name?: string; topic?: string } {
  const name = typed.name.trim();
  const topic = typed.topic.trim();
  if (name === "") throw new Error("empty room name");
  return { ...(name !== current.name ? { name } : {}), ...(topic !== current.topic ? { topic } : {}) };
}

/** The new power_levels content: only users[userId] changes; everything else is kept as sent. */
export function withUserLevel(content: Record<string, unknown>, userId: string, level: number): Record<string, unknown> {
  const users = isRecord(content["users"]) ? { ...content["users"] } : {};
  if (level === num(content["users_default"], 0)) delete users[userId];
  else users[userId] = level;
  return { ...content, users };
}

export function joinRuleContent(rule: JoinRuleChoice, spaceIds: readonly string[]): Record<string, unknown> {
  if (rule !== "restricted") return { join_rule: rule };
  if (spaceIds.length === 0) throw new Error("restricted join rule without a space");
  return { join_rule: "restricted", allow: spaceIds.map((id) => ({ type: "m.room_membership", room_id: id })) };
}

/** Admins first, then moderators, members, invitations last; by name within each. */
export function sortMembers(members: readonly MemberInfo[]): MemberInfo[] {
  return [...members].sort((a, b) =>
    (a.membership === b.membership ? 0 : a.membership === "join" ? -1 : 1) || (a.powerLevel === b.powerLevel ? 0 : b.powerLevel > a.powerLevel ? 1 : -1) || a.name.localeCompare(b.name));
}
