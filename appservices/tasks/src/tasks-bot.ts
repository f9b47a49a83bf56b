// The tasks bot: on the bot platform (startBot), it sets up a room's task list when invited
// (fr.entente.tasks state + fr.entente.tasklist anchor), turns commands into task events built
// with @entente/protocol, and reminds assignees in each task's thread before due dates. All it
// knows comes from the rooms (loaded at start through the anchor's relations, then kept up to
// date from the appservice transactions), so a restart neither repeats nor forgets a reminder.
import { parseCommand } from "../../kit/src/commands.ts";
import { startBot, type BotContext, type BotEvent, type RunningBot } from "../../kit/src/start-bot.ts";
import { DEFAULT_TIME_ZONE } from "../../kit/src/time-zone.ts";
import { buildAnchor } from "../../protocol/src/anchors.ts";
import { ROOM_POWER_LEVELS, TASKLIST_ANCHOR, TASKS_STATE } from "../../protocol/src/event-types.ts";
import { buildTasksState } from "../../protocol/src/tasks-state.ts";
import { TASKS_COMMANDS } from "./command-specs.ts";
import { seedDemo } from "./demo-seed.ts";
import { DigestService } from "./digest-service.ts";
import { sendDueReminders, type ReminderDeps } from "./reminder-loop.ts";
import { loadRoom, readRoomState, toFoldEvent } from "./room-loader.ts";
import type { RoomTasks } from "./room-tasks.ts";
import { runCommand, type CommandDeps } from "./task-commands.ts";

/** The name agents see for the bot (its id's localpart otherwise: « entente-tasks »). */
export const TASKS_BOT_NAME = "Entente Tâches";

/** The bot may not send the tasks state yet: said in plain words to the room. */
export class NeedsPowerError extends Error {
  constructor(has: number, needs: number) {
    super(`Pour installer la liste de tâches, donnez-moi le niveau ${needs} (modérateur) dans ce salon ; j'ai ${has}. ` +
      `(To set up the task list I need power level ${needs}; I have ${has}.)`);
  }
}

export interface TasksBotOptions {
  registrationPath: string;
  homeserverUrl: string;
  domain: string;
  storeDir: string;
  /** Injected clock (ms since epoch): tests move it across DST changes. Default Date.now. */
  clock?: (() => number) | undefined;
  /** Zone of all-day due dates' reminders. Default Europe/Paris. */
  defaultTimeZone?: string | undefined;
  /** Longest real-time wait between two reminder checks (default 30 s). */
  reminderTickMs?: number | undefined;
  port?: number | undefined;
  log?: ((line: Record<string, unknown>) => void) | undefined;
  keyWaitMs?: number | undefined;
  /** Seeds the demo working group with these agents invited (demo-seed.ts), once. */
  demoInvite?: readonly string[] | undefined;
}

export interface RunningTasksBot {
  bot: RunningBot;
  rooms: Map<string, RoomTasks>;
  /** Sends the reminders due at clock() now; resolves how many were sent. */
  checkReminders(): Promise<number>;
  /** Sends the daily digests due at clock() now (digest-service.ts); resolves how many were sent. */
  checkDigests(): Promise<number>;
  stop(): Promise<void>;
}

export async function startTasksBot(o: TasksBotOptions): Promise<RunningTasksBot> {
  const now = o.clock ?? Date.now;
  const zone = o.defaultTimeZone ?? DEFAULT_TIME_ZONE;
  const rooms = new Map<string, RoomTasks>();
  let ctxRef: BotContext | undefined;
  const ctx = (): BotContext => {
    if (!ctxRef) throw new Error("bot not started");
    return ctxRef;
  };
  // Room loads and set-ups are serialised per room (no two anchors for one room).
  const loading = new Map<string, Promise<RoomTasks>>();
  const room = (roomId: string): Promise<RoomTasks> => {
    let p = loading.get(roomId);
    if (!p) {
      p = loadRoom(ctx(), roomId).then((r) => { rooms.set(roomId, r); return r; });
      p.catch(() => loading.delete(roomId));
      loading.set(roomId, p);
    }
    return p;
  };
  const ensureList = async (roomId: string): Promise<RoomTasks> => {
    const r = await room(roomId);
    if (r.config) return r;
    const c = ctx();
    let mine = r.levelOf(c.botUserId);
    if (mine < r.tasksStateLevel) {
      // The cached levels may predate the event that raised ours (still queued in the transaction).
      await readRoomState(c, r);
      mine = r.levelOf(c.botUserId);
    }
    if (mine < r.tasksStateLevel) throw new NeedsPowerError(mine, r.tasksStateLevel);
    const anchor = await c.send(roomId, TASKLIST_ANCHOR, buildAnchor("Tâches"));
    const content = buildTasksState({ anchor, bot: c.botUserId });
    await c.api("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${TASKS_STATE}/`, content);
    r.setConfig(content);
    c.log("info", "task list set up", { room_id: roomId, anchor });
    return r;
  };
  const sendAndKeep = async (r: RoomTasks, type: string, content: Record<string, unknown>): Promise<string> => {
    const c = ctx();
    const id = await c.send(r.roomId, type, content);
    // The stored event (server timestamp, our own encryption undone) is what every reader folds.
    const stored = await c.api("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(r.roomId)}/event/${encodeURIComponent(id)}`);
    const e = await toFoldEvent(c, stored, 5000);
    if (e) r.add(e, c.botUserId);
    return id;
  };
  const reminderDeps = (): ReminderDeps => ({ ctx: ctx(), rooms, now, zone });
  let checking: Promise<number> = Promise.resolve(0);
  const checkReminders = (): Promise<number> => {
    checking = checking.catch(() => 0).then(() => sendDueReminders(reminderDeps()));
    return checking;
  };
  const digests = new DigestService({ ctx, rooms, now });
  let digesting: Promise<number> = Promise.resolve(0);
  const checkDigests = (): Promise<number> => {
    digesting = digesting.catch(() => 0).then(() => digests.check());
    return digesting;
  };
  const commandDeps = (): CommandDeps => ({ ctx: ctx(), now, ensureList, sendAndKeep });

  const onEvent = async (e: BotEvent, c: BotContext): Promise<void> => {
    const r = await room(e.roomId);
    if (e.type === ROOM_POWER_LEVELS && e.stateKey === "") {
      r.setPowerLevels(e.content);
      // Given the level it asked for: set the list up now.
      if (!r.config && r.levelOf(c.botUserId) >= r.tasksStateLevel) await ensureList(e.roomId);
    }
    else if (e.type === TASKS_STATE && e.stateKey === "") r.setConfig(e.content);
    else if (e.type === "m.room.name" && e.stateKey === "") digests.onRoomName(e.roomId);
    else {
      const raw = { event_id: e.eventId, type: e.type, sender: e.sender, origin_server_ts: e.originServerTs, content: e.content, ...(e.redacts ? { redacts: e.redacts } : {}) };
      if (r.add(raw, c.botUserId)) {
        for (const s of r.newSkips()) c.log("warn", "task event skipped", { room_id: e.roomId, event_id: s.eventId, reason: s.reason });
      }
    }
    const body = e.content["body"];
    if (e.type !== "m.room.message" || typeof body !== "string") return;
    const cmd = parseCommand(body, TASKS_COMMANDS);
    if (!cmd) return;
    try {
      if (cmd.kind === "command" && (cmd.name === "digest" || cmd.name === "mine")) await digests.command(cmd.name, cmd.args, e, cmd.lang);
      else await runCommand(cmd, e, commandDeps());
    } catch (err: unknown) {
      if (err instanceof NeedsPowerError) {
        await c.reply(e.roomId, { eventId: e.eventId, threadRoot: e.threadRoot }, err.message);
        return;
      }
      c.log("error", "command failed", { room_id: e.roomId, event_id: e.eventId, error: String(err) });
      await c.reply(e.roomId, { eventId: e.eventId, threadRoot: e.threadRoot },
        "Désolé, je n'ai pas pu traiter cette commande ; réessayez plus tard. (Sorry, that command failed; please try again later.)");
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = (): void => {
    timer = setTimeout(() => {
      void checkReminders().then(checkDigests).finally(() => { if (!stopped) tick(); });
    }, o.reminderTickMs ?? 30_000);
  };

  const bot = await startBot({
    registrationPath: o.registrationPath, homeserverUrl: o.homeserverUrl, domain: o.domain, storeDir: o.storeDir,
    port: o.port, log: o.log, keyWaitMs: o.keyWaitMs, displayName: TASKS_BOT_NAME,
    handlers: {
      onJoined: async (roomId, _inviter, c) => {
        try {
          await ensureList(roomId);
          await c.send(roomId, "m.room.message", { msgtype: "m.notice", body: "Bonjour ! La liste de tâches de ce salon est prête ; tapez !aide pour les commandes. (Hello! The task list is ready; type !help.)" });
        } catch (err: unknown) {
          if (!(err instanceof NeedsPowerError)) throw err;
          await c.send(roomId, "m.room.message", { msgtype: "m.notice", body: err.message });
        }
      },
      onEvent,
      onStarted: async (c) => {
        ctxRef = c;
        const joined = await c.api("GET", "/_matrix/client/v3/joined_rooms");
        for (const id of Array.isArray(joined["joined_rooms"]) ? joined["joined_rooms"] : []) {
          if (typeof id === "string") await room(id).catch((err: unknown) => c.log("error", "room load failed", { room_id: id, error: String(err) }));
        }
        if (o.demoInvite !== undefined) {
          await seedDemo({ ctx: c, domain: o.domain, invite: o.demoInvite, now, ensureList, sendAndKeep })
            .catch((err: unknown) => c.log("error", "demo seed failed", { error: String(err) }));
        }
        await checkReminders();
        await digests.load().catch((err: unknown) => c.log("error", "digest settings unreadable", { error: String(err) }));
        await checkDigests();
        tick();
      },
    },
  });
  ctxRef = bot.ctx;
  return {
    bot, rooms, checkReminders, checkDigests,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await checking.catch(() => 0);
      await digesting.catch(() => 0);
      await bot.stop();
    },
  };
}
