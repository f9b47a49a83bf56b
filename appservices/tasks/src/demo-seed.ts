// The demo's working group, seeded by the tasks bot on the first demo start: one room across the
// councils with a task list and a few tasks. Idempotent: the room has an alias of the bot's
// exclusive namespace (#entente-tasks_groupe-de-travail:<domain>); if it resolves, nothing is done
// but the space around it (demo-space.ts, idempotent on its own alias). The room holds one
// objective (« Objectifs »), which the first task is linked to.
//
// The room is NOT encrypted, deliberately: demo accounts are created without a device (no
// session until their owner logs in), so tasks encrypted now could never be decrypted by them.
// Encrypted rooms are what the tests use (tests/appservices/tasks-bot.test.ts).
import type { BotContext } from "../../kit/src/start-bot.ts";
import { buildAnchor } from "../../protocol/src/anchors.ts";
import { OBJECTIVELIST_ANCHOR, OBJECTIVES_STATE } from "../../protocol/src/event-types.ts";
import { buildObjectiveRoot } from "../../protocol/src/objective-root.ts";
import { buildObjectivesState } from "../../protocol/src/objectives-state.ts";
import { buildTaskRoot } from "../../protocol/src/task-root.ts";
import { ensureDemoSpace } from "./demo-space.ts";
import { icalDateTime, wallTimeAt } from "./local-time.ts";
import type { RoomTasks } from "./room-tasks.ts";

export const DEMO_ALIAS_LOCALPART = "entente-tasks_groupe-de-travail";

export interface DemoSeedDeps {
  ctx: BotContext;
  domain: string;
  /** Agents of every council, invited to the working group. */
  invite: readonly string[];
  now: () => number;
  ensureList(roomId: string): Promise<RoomTasks>;
  sendAndKeep(room: RoomTasks, type: string, content: Record<string, unknown>): Promise<string>;
}

const day = 86_400_000;

/**
 * The council's calendar bot joins the working group with power level 50 (it sets the room
 * calendar up, and `entente demo` binds it to a Radicale collection). Idempotent: done again on a
 * room seeded before the calendar bot existed. A calendar bot that is not running (its user
 * unknown to the homeserver) is logged and skipped: the tasks are seeded all the same.
 */
async function inviteCalendarBot(d: DemoSeedDeps, roomId: string): Promise<void> {
  const bot = `@entente-calendar:${d.domain}`;
  const enc = encodeURIComponent;
  try {
    const member = await d.ctx.api("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.member/${enc(bot)}`).catch((): Record<string, unknown> => ({}));
    if (member["membership"] === "join" || member["membership"] === "invite") return;
    const levels = await d.ctx.api("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels/`);
    const users = { ...((levels["users"] ?? {}) as Record<string, unknown>), [bot]: 50 };
    await d.ctx.api("PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels/`, { ...levels, users });
    await d.ctx.api("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: bot });
    d.ctx.log("info", "demo calendar bot invited", { room_id: roomId, bot });
  } catch (err: unknown) {
    d.ctx.log("warn", "demo calendar bot not invited", { room_id: roomId, error: String(err) });
  }
}

/** The room's objectives list (protocol §6: anchor, then state) and one objective; its id. */
async function seedObjective(d: DemoSeedDeps, roomId: string): Promise<string> {
  const anchor = await d.ctx.send(roomId, OBJECTIVELIST_ANCHOR, buildAnchor("Objectifs"));
  await d.ctx.api("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${OBJECTIVES_STATE}/`, buildObjectivesState({ anchor }));
  return d.ctx.send(roomId, "m.room.message", buildObjectiveRoot({ anchor, title: "Mutualiser les achats de voirie" }));
}

export async function seedDemo(d: DemoSeedDeps): Promise<{ roomId: string; created: boolean }> {
  const alias = `#${DEMO_ALIAS_LOCALPART}:${d.domain}`;
  try {
    const found = await d.ctx.api("GET", `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`);
    if (typeof found["room_id"] === "string") {
      await inviteCalendarBot(d, found["room_id"]);
      await ensureDemoSpace({ ctx: d.ctx, domain: d.domain, invite: d.invite, roomId: found["room_id"] });
      return { roomId: found["room_id"], created: false };
    }
  } catch {
    // M_NOT_FOUND: first start
  }
  const created = await d.ctx.api("POST", "/_matrix/client/v3/createRoom", {
    name: "Groupe de travail inter-collectivités", topic: "Démonstration : tâches partagées entre ville-a et agglo-b (!aide)",
    // public_chat keeps encryption off under the councils' default (rooms.encryption_by_default:
    // invite); the join rule is set back to invite-only, history shared with members.
    preset: "public_chat", room_alias_name: DEMO_ALIAS_LOCALPART, invite: d.invite,
    initial_state: [
      { type: "m.room.join_rules", state_key: "", content: { join_rule: "invite" } },
      { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
    ],
  });
  const roomId = String(created["room_id"]);
  const room = await d.ensureList(roomId);
  const anchor = room.config?.anchor ?? "";
  const due = (inDays: number, hour: number): { tzid: string; value: string } =>
    ({ tzid: "Europe/Paris", value: icalDateTime({ ...wallTimeAt(d.now() + inDays * day, "Europe/Paris"), hour, minute: 0, second: 0 }) });
  const [a1, b1, a2] = [d.invite[0], d.invite.find((u) => !u.endsWith(`:${d.domain}`)), d.invite[1]];
  const objective = await seedObjective(d, roomId);
  const tasks = [
    { title: "Préparer le budget primitif", assignees: [a1, b1], due: due(7, 18), reminders: [{ before: "P1D" }], labels: ["finances"], objective },
    { title: "Relire la convention de mutualisation", assignees: [b1], due: due(3, 12), reminders: [{ before: "P1D" }], labels: ["juridique"] },
    { title: "Réserver la salle du conseil", assignees: [a2], labels: ["logistique"], status: "doing" as const },
  ];
  for (const t of tasks) {
    await d.sendAndKeep(room, "m.room.message", buildTaskRoot({ anchor, ...t, assignees: t.assignees.filter((u): u is string => u !== undefined) }));
  }
  await inviteCalendarBot(d, roomId);
  await ensureDemoSpace({ ctx: d.ctx, domain: d.domain, invite: d.invite, roomId });
  d.ctx.log("info", "demo working group seeded", { room_id: roomId, alias, tasks: tasks.length, objective });
  return { roomId, created: true };
}
