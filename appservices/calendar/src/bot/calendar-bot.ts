// The calendar bot: on the bot platform (startBot), it sets up a room calendar when invited
// (fr.entente.calendar state + anchor), binds it to a CalDAV collection on `!agenda caldav <url>`
// (credentials come from the bot's configuration, never from the room), and runs one SyncEngine
// per bound calendar: on every calendar event in the room (debounced) and every `pollMs` for
// CalDAV's side. A failing binding retries with back-off and tells the room once, not each time.
import { parseCommand, type CommandSpec } from "../../../kit/src/commands.ts";
import { startBot, type BotContext, type BotEvent, type RunningBot } from "../../../kit/src/start-bot.ts";
import { CaldavClient } from "../caldav/caldav-client.ts";
import { buildCalendarBinding, CALENDAR_ANCHOR, CALENDAR_SCHEMA_VERSION, CALENDAR_STATE, EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE, parseRoomPowerLevels, type CalendarBinding } from "../protocol.ts";
import { backoffMs, SyncEngine } from "../sync/sync-engine.ts";
import { SyncStore, type Credentials } from "../sync/sync-store.ts";
import type { MatrixRoomSide } from "./matrix-room-side.ts";
import { loadBindings } from "./room-loader.ts";

export interface CalendarBotOptions {
  registrationPath: string;
  homeserverUrl: string;
  domain: string;
  storeDir: string;
  /** CalDAV credentials by server origin ("https://dav.ville-a.fr") */
  credentials: Record<string, Credentials>;
  /** how often CalDAV is asked for changes (default 60 s) */
  pollMs?: number;
  port?: number;
  log?: (line: Record<string, unknown>) => void;
  keyWaitMs?: number;
}

interface Bound {
  roomId: string;
  binding: CalendarBinding;
  side: MatrixRoomSide;
  engine?: SyncEngine;
  timer?: NodeJS.Timeout;
  failures: number;
  running: boolean;
}

export interface RunningCalendarBot {
  bot: RunningBot;
  bound: Map<string, Bound>;
  /** one sync pass of every binding of the room, now */
  syncRoom(roomId: string): Promise<void>;
  stop(): Promise<void>;
}

const enc = encodeURIComponent;
const CALENDAR_COMMANDS: readonly CommandSpec<"calendar">[] = [
  { name: "calendar", words: ["agenda", "calendar"], help: { fr: "!agenda caldav <adresse de la collection> : lie l'agenda du salon à CalDAV", en: "!calendar caldav <collection URL>: bind the room calendar to CalDAV" } },
];
const BINDING_ID = "agenda";

export async function startCalendarBot(o: CalendarBotOptions): Promise<RunningCalendarBot> {
  const store = await SyncStore.open(`${o.storeDir}/calendar-sync.json`);
  const bound = new Map<string, Bound>();
  let stopped = false;

  const engineFor = (ctx: BotContext, b: Bound): SyncEngine | undefined => {
    if (b.binding.caldav === undefined) return undefined;
    const collectionUrl = new URL(b.binding.caldav.collection, b.binding.caldav.server).toString();
    const creds = o.credentials[new URL(collectionUrl).origin];
    const caldav = new CaldavClient({ collectionUrl, ...(creds === undefined ? {} : { username: creds.username, password: creds.password }) });
    return new SyncEngine({
      bindingId: `${b.roomId}|${b.binding.id}`, direction: b.binding.direction, defaultTzid: b.binding.defaultTzid, caldav, room: b.side, store,
      log: (line) => ctx.log("info", line, { room_id: b.roomId }),
    });
  };

  const runPass = async (ctx: BotContext, b: Bound): Promise<void> => {
    if (b.engine === undefined || b.running || stopped) return;
    b.running = true;
    try {
      const stats = await b.engine.syncOnce();
      if (b.failures > 0) await ctx.send(b.roomId, "m.room.message", { msgtype: "m.notice", body: "✅ Agenda : synchronisation CalDAV rétablie." });
      b.failures = 0;
      if (stats.roomWrites + stats.remoteWrites > 0) ctx.log("info", "calendar synced", { room_id: b.roomId, ...stats, skipped: stats.skipped.length });
    } catch (e) {
      b.failures += 1;
      const delay = backoffMs(b.failures);
      ctx.log("warn", "calendar sync failed", { room_id: b.roomId, error: e instanceof Error ? e.message : String(e), retry_ms: delay });
      // One notice when the binding breaks, not one per retry.
      if (b.failures === 1) await ctx.send(b.roomId, "m.room.message", { msgtype: "m.notice", body: `⚠️ Agenda : synchronisation CalDAV impossible (${e instanceof Error ? e.message : "erreur"}). Rien n'est perdu ; nouvel essai automatique.` }).catch(() => undefined);
      schedule(ctx, b, delay);
    } finally {
      b.running = false;
    }
  };

  const schedule = (ctx: BotContext, b: Bound, delay = 100): void => {
    if (stopped) return;
    if (b.timer !== undefined) clearTimeout(b.timer);
    b.timer = setTimeout(() => void runPass(ctx, b), delay);
  };

  const loadRoom = async (ctx: BotContext, roomId: string): Promise<void> => {
    for (const { binding, side } of await loadBindings(ctx, roomId)) {
      const key = `${roomId}|${binding.id}`;
      const b: Bound = { roomId, binding, side, failures: 0, running: false };
      const engine = engineFor(ctx, b);
      if (engine !== undefined) b.engine = engine;
      const old = bound.get(key);
      if (old?.timer !== undefined) clearTimeout(old.timer);
      bound.set(key, b);
      schedule(ctx, b);
    }
  };

  const setUp = async (ctx: BotContext, roomId: string): Promise<void> => {
    const anchor = await ctx.send(roomId, CALENDAR_ANCHOR, { version: CALENDAR_SCHEMA_VERSION, name: "Agenda" });
    await ctx.api("PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${CALENDAR_STATE}/${BINDING_ID}`, buildCalendarBinding({ anchor, name: "Agenda", bot: ctx.botUserId }));
    await loadRoom(ctx, roomId);
  };

  const bindCaldav = async (ctx: BotContext, ev: BotEvent, url: string): Promise<void> => {
    const b = bound.get(`${ev.roomId}|${BINDING_ID}`);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      await ctx.reply(ev.roomId, { eventId: ev.eventId }, "Adresse CalDAV invalide. (Invalid CalDAV URL.)");
      return;
    }
    if (b === undefined) return;
    const content = buildCalendarBinding({ ...b.binding, caldav: { server: target.origin, collection: target.pathname } });
    await ctx.api("PUT", `/_matrix/client/v3/rooms/${enc(ev.roomId)}/state/${CALENDAR_STATE}/${BINDING_ID}`, content);
    await loadRoom(ctx, ev.roomId);
    const known = o.credentials[target.origin] !== undefined;
    await ctx.reply(ev.roomId, { eventId: ev.eventId }, `Agenda lié à ${target.origin}${target.pathname}${known ? "" : " (aucun identifiant configuré pour ce serveur)"}.`);
  };

  const onEvent = async (ev: BotEvent, ctx: BotContext): Promise<void> => {
    if (ev.type === "m.room.message" && typeof ev.content["body"] === "string") {
      const cmd = parseCommand(ev.content["body"], CALENDAR_COMMANDS);
      const [sub, url] = cmd?.kind === "command" ? cmd.args.split(/\s+/) : [];
      if (sub === "caldav" && url !== undefined) return bindCaldav(ctx, ev, url);
    }
    const mine = [...bound.values()].filter((b) => b.roomId === ev.roomId);
    if (ev.type === CALENDAR_STATE) return loadRoom(ctx, ev.roomId);
    if (ev.type === "m.room.power_levels") for (const b of mine) b.side.levels = parseRoomPowerLevels(ev.content);
    const calendarish = ev.type === EVENT_UPDATE || ev.type === EVENT_RSVP || (ev.type === "m.room.message" && ev.content["msgtype"] === EVENT_MSGTYPE) || ev.redacts !== undefined;
    if (!calendarish) return;
    for (const b of mine) {
      b.side.add({ event_id: ev.eventId, type: ev.type, sender: ev.sender, origin_server_ts: ev.originServerTs, content: ev.content, ...(ev.redacts === undefined ? {} : { redacts: ev.redacts }) });
      schedule(ctx, b);
    }
  };

  const bot = await startBot({
    registrationPath: o.registrationPath, homeserverUrl: o.homeserverUrl, domain: o.domain, storeDir: o.storeDir, port: o.port, log: o.log, keyWaitMs: o.keyWaitMs,
    handlers: {
      onJoined: async (roomId, _inviter, ctx) => {
        await loadRoom(ctx, roomId);
        if ([...bound.values()].some((b) => b.roomId === roomId)) return;
        await setUp(ctx, roomId).catch(async (e: unknown) => {
          ctx.log("warn", "calendar set-up failed", { room_id: roomId, error: e instanceof Error ? e.message : String(e) });
          await ctx.send(roomId, "m.room.message", { msgtype: "m.notice", body: "Pour installer l'agenda, donnez-moi le niveau 50 (modérateur) puis réinvitez-moi. (I need power level 50 to set up the calendar.)" });
        });
      },
      onEvent,
      onStarted: async (ctx) => {
        const joined = await ctx.api("GET", "/_matrix/client/v3/joined_rooms");
        for (const roomId of Array.isArray(joined["joined_rooms"]) ? (joined["joined_rooms"] as unknown[]) : []) if (typeof roomId === "string") await loadRoom(ctx, roomId);
      },
    },
  });
  const poll = setInterval(() => {
    for (const b of bound.values()) schedule(bot.ctx, b, 0);
  }, o.pollMs ?? 60_000);
  return {
    bot,
    bound,
    async syncRoom(roomId) {
      for (const b of bound.values()) if (b.roomId === roomId) await runPass(bot.ctx, b);
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      for (const b of bound.values()) if (b.timer !== undefined) clearTimeout(b.timer);
      await bot.stop();
    },
  };
}
