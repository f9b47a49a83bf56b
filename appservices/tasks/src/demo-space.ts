// The demo's working group as a space (what the client's « Objectifs » and « Dossiers » list): the
// seeded room is its child, beside one encrypted dossier, both councils' agents invited to all
// three. Idempotent on the space's alias (#entente-tasks_espace-groupe-de-travail:<domain>): a demo
// folder seeded before this existed gets its space at the next start.
//
// The dossier stays empty: putting a file in it needs a member's client crypto (an encrypted
// upload, the room key shared with the agents' devices), and demo accounts have no device yet.
// Each council's agent1 is a moderator of the dossier (level 50): « Exporter pour archivage » needs
// the moderator level (appservices/share/src/archive-route.ts); agent2 stays at 0 (refused). A demo
// folder seeded before that gets it at the next start.
import type { BotContext } from "../../kit/src/start-bot.ts";
import { DOSSIER_ROOM_TYPE, dossierPowerLevelEvents } from "../../protocol/src/dossier/file-tree-events.ts";

export const DEMO_SPACE_ALIAS_LOCALPART = "entente-tasks_espace-groupe-de-travail";
export const DEMO_SPACE_NAME = "Coopération inter-collectivités";
export const DEMO_DOSSIER_NAME = "Convention de mutualisation";

const C = "/_matrix/client/v3";
const enc = encodeURIComponent;

/** The dossier's moderators: agent1 of every council (may export it for archiving). */
export const DEMO_DOSSIER_MODERATOR = "agent1";

/** The dossier's users levels: every council's agent1 at 50 added to `users` (the creator's entry,
 * if the room version has one, kept: v12 creators are implicit and must not be listed). */
export function demoDossierUsers(users: Record<string, unknown>, invite: readonly string[]): Record<string, unknown> {
  const out = { ...users };
  for (const u of invite) if (u.startsWith(`@${DEMO_DOSSIER_MODERATOR}:`)) out[u] = 50;
  return out;
}

async function resolve(ctx: BotContext, alias: string): Promise<string | undefined> {
  try {
    const found = await ctx.api("GET", `${C}/directory/room/${enc(alias)}`);
    return typeof found["room_id"] === "string" ? found["room_id"] : undefined;
  } catch {
    return undefined; // M_NOT_FOUND
  }
}

/** Gives the dossier's moderators their level in `dossierId` if some lack it; whether it wrote. */
async function setDossierModerators(ctx: BotContext, dossierId: string, invite: readonly string[]): Promise<boolean> {
  const levelsPath = `${C}/rooms/${enc(dossierId)}/state/m.room.power_levels/`;
  const levels = await ctx.api("GET", levelsPath);
  const before = (levels["users"] ?? {}) as Record<string, unknown>;
  const users = demoDossierUsers(before, invite);
  if (Object.keys(users).every((u) => before[u] === users[u])) return false;
  await ctx.api("PUT", levelsPath, { ...levels, users });
  return true;
}

/** A demo folder seeded before agent1 moderated the dossier: the space's dossier child gets it now. */
async function upgradeDossierModerators(ctx: BotContext, spaceId: string, roomId: string, invite: readonly string[]): Promise<void> {
  try {
    const state = (await ctx.apiJson("GET", `${C}/rooms/${enc(spaceId)}/state`)) as { type?: unknown; state_key?: unknown }[];
    for (const child of state.filter((e) => e.type === "m.space.child" && e.state_key !== roomId)) {
      const id = String(child.state_key);
      const create = await ctx.api("GET", `${C}/rooms/${enc(id)}/state/m.room.create/`);
      if (create["type"] === DOSSIER_ROOM_TYPE && await setDossierModerators(ctx, id, invite)) ctx.log("info", "demo dossier moderators set", { room_id: id });
    }
  } catch (err: unknown) {
    ctx.log("warn", "demo dossier moderators not set", { space_id: spaceId, error: String(err) });
  }
}

export async function ensureDemoSpace(d: { ctx: BotContext; domain: string; invite: readonly string[]; roomId: string }): Promise<{ spaceId: string; dossierId?: string; created: boolean }> {
  const alias = `#${DEMO_SPACE_ALIAS_LOCALPART}:${d.domain}`;
  const existing = await resolve(d.ctx, alias);
  if (existing !== undefined) {
    await upgradeDossierModerators(d.ctx, existing, d.roomId, d.invite);
    return { spaceId: existing, created: false };
  }
  const via = [d.domain];
  // public_chat (then invite-only) as the room: a space holds no messages to encrypt.
  const space = await d.ctx.api("POST", `${C}/createRoom`, {
    name: DEMO_SPACE_NAME, topic: "Démonstration : objectifs et dossiers partagés entre les collectivités",
    preset: "public_chat", room_alias_name: DEMO_SPACE_ALIAS_LOCALPART, invite: d.invite,
    creation_content: { type: "m.space" },
    initial_state: [
      { type: "m.room.join_rules", state_key: "", content: { join_rule: "invite" } },
      { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
    ],
  });
  const spaceId = String(space["room_id"]);
  await d.ctx.api("PUT", `${C}/rooms/${enc(spaceId)}/state/m.space.child/${enc(d.roomId)}`, { via });
  await d.ctx.api("PUT", `${C}/rooms/${enc(d.roomId)}/state/m.space.parent/${enc(spaceId)}`, { via, canonical: true });
  const dossier = await d.ctx.api("POST", `${C}/createRoom`, {
    name: DEMO_DOSSIER_NAME, preset: "private_chat", invite: d.invite,
    creation_content: { type: DOSSIER_ROOM_TYPE },
    power_level_content_override: { events: dossierPowerLevelEvents() },
    initial_state: [
      { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
      { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
      { type: "m.space.parent", state_key: spaceId, content: { via, canonical: true } },
      { type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: spaceId }] } },
    ],
  });
  const dossierId = String(dossier["room_id"]);
  await setDossierModerators(d.ctx, dossierId, d.invite);
  await d.ctx.api("PUT", `${C}/rooms/${enc(spaceId)}/state/m.space.child/${enc(dossierId)}`, { via });
  d.ctx.log("info", "demo space seeded", { space_id: spaceId, alias, room_id: d.roomId, dossier_id: dossierId });
  return { spaceId, dossierId, created: true };
}
