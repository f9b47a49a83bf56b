// The calendar bot: on the bot platform (startBot), it sets up a room calendar when invited
// (fr.entente.calendar state + anchor), binds it to a CalDAV collection on `!agenda caldav <url>`
// (credentials come from the bot's configuration, never from the room), and runs one SyncEngine
// per bound calendar (binding-sync.ts: passes, back-off, error state). Around the sync: reminders
// in each event's thread (injected clock), attendees invited and mentioned, the Jitsi meeting of
// an event, and the binding's secret ICS feed served on the bot's HTTP listener.
import type { Request, Response } from "express";
import { parseCommand, say, type BotLang, type CommandSpec } from "../../../kit/src/commands.ts";
import { startBot, type BotContext, type BotEvent, type RunningBot } from "../../../kit/src/start-bot.ts";
import { CaldavClient } from "../caldav/caldav-client.ts";
import { buildFeedIcs } from "../feed/feed-ics.ts";
import { FeedStore } from "../feed/feed-store.ts";
import { secretOfPath } from "../feed/feed-url.ts";
import { DEFAULT_REMINDER_MINUTES } from "../reminders/event-reminders.ts";
import { buildCalendarBinding, CALENDAR_ANCHOR, CALENDAR_SCHEMA_VERSION, CALENDAR_STATE, EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE } from "../protocol.ts";
import { SyncEngine } from "../sync/sync-engine.ts";
import { SyncStore, type Credentials } from "../sync/sync-store.ts";
import { inviteAttendees, memberLister } from "./attendee-invites.ts";
import { serialised } from "./binding-state.ts";
import { runPass, schedule, type BindingSyncDeps } from "./binding-sync.ts";
import { boundKey, type Bound } from "./bound.ts";
import { sendDueEventReminders } from "./event-reminder-loop.ts";
import { addVideo, videoCommand, type JitsiOptions } from "./event-video.ts";
import { feedCommand, type FeedCommandDeps } from "./feed-commands.ts";
import { loadBindings } from "./room-loader.ts";

/** The name agents see for the bot (its id's localpart otherwise: « entente-calendar »). */
export const CALENDAR_BOT_NAME = "Entente Agenda";

export interface CalendarBotOptions {
  registrationPath: string;
  homeserverUrl: string;
  domain: string;
  storeDir: string;
  /** CalDAV credentials by server origin ("https://dav.ville-a.fr") */
  credentials: Record<string, Credentials>;
  /** how often CalDAV is asked for changes (default 60 s) */
  pollMs?: number | undefined;
  port?: number | undefined;
  log?: ((line: Record<string, unknown>) => void) | undefined;
  keyWaitMs?: number | undefined;
  /** injected clock (ms since epoch) for reminders: tests move it across DST changes */
  clock?: (() => number) | undefined;
  /** longest real-time wait between two reminder checks (default 30 s) */
  reminderTickMs?: number | undefined;
  /** minutes before an occurrence when the event sets no reminders (default [15]; [] = none) */
  defaultReminderMinutes?: readonly number[] | undefined;
  /** the meetings' Jitsi server and wrapper page; `auto`: every new timed event gets one */
  jitsi?: JitsiOptions | undefined;
  /** public base URL of the bot's HTTP listener, for ICS feed URLs (default http://127.0.0.1:<port>) */
  feedBaseUrl?: string | undefined;
  /** `entente demo`: the working group's room (by alias) is bound to this collection (none: Matrix-only) */
  demo?: { alias: string; collectionUrl?: string } | undefined;
}

export interface RunningCalendarBot {
  bot: RunningBot;
  bound: Map<string, Bound>;
  /** one sync pass (and follow-ups) of every binding of the room, now */
  syncRoom(roomId: string): Promise<void>;
  /** sends the reminders due at clock() now; resolves how many were sent */
  checkReminders(): Promise<number>;
  /** binds the room's calendar to a CalDAV collection (what `!agenda caldav` does) */
  bindCaldav(roomId: string, collectionUrl: string | undefined): Promise<void>;
  stop(): Promise<void>;
}

const enc = encodeURIComponent;
const CALENDAR_COMMANDS: readonly CommandSpec<"calendar">[] = [
  { name: "calendar", words: ["agenda", "calendar"], help: { fr: "!agenda caldav <adresse de la collection> : lie l'agenda du salon à CalDAV ; !agenda visio auto|manuel : réunion Jitsi pour chaque nouvel événement ; !agenda flux activer|révoquer : flux ICS secret (administrateurs)", en: "!calendar caldav <collection URL>: bind the room calendar to CalDAV; !calendar video auto|manual: a Jitsi meeting for each new event; !calendar feed enable|revoke: secret ICS feed (admins)" } },
];
const BINDING_ID = "agenda";
export const DEFAULT_JITSI: JitsiOptions = { domain: "meet.jit.si", wrapperUrl: "https://app.element.io/jitsi.html" };

export async function startCalendarBot(o: CalendarBotOptions): Promise<RunningCalendarBot> {
  const store = await SyncStore.open(`${o.storeDir}/calendar-sync.json`);
  const feeds = await FeedStore.open(`${o.storeDir}/ics-feeds.json`);
  const now = o.clock ?? Date.now;
  const jitsi = o.jitsi ?? DEFAULT_JITSI;
  const bound = new Map<string, Bound>();
  const videoFailed = new Set<string>();
  const pending = new Map<string, { sender: string; until: number }>();
  let stopped = false;
  let ctxRef: BotContext | undefined;
  const ctx = (): BotContext => {
    if (ctxRef === undefined) throw new Error("bot not started");
    return ctxRef;
  };

  const followUp = async (b: Bound): Promise<void> => {
    const members = memberLister(ctx(), b.roomId);
    for (const ev of b.side.fold().events.values()) {
      if (ev.cancelled) continue;
      await inviteAttendees(ctx(), b, ev, members);
      await addVideo(ctx(), b, ev, jitsi, videoFailed);
    }
  };
  const syncDeps = (): BindingSyncDeps => ({ ctx: ctx(), stopped: () => stopped, followUp });

  const engineFor = (b: Bound): SyncEngine | undefined => {
    if (b.binding.caldav === undefined) return undefined;
    const collectionUrl = new URL(b.binding.caldav.collection, b.binding.caldav.server).toString();
    const creds = o.credentials[new URL(collectionUrl).origin];
    const caldav = new CaldavClient({ collectionUrl, ...(creds === undefined ? {} : { username: creds.username, password: creds.password }) });
    return new SyncEngine({
      bindingId: boundKey(b.roomId, b.binding.id), direction: b.binding.direction, defaultTzid: b.binding.defaultTzid, caldav, room: b.side, store,
      log: (line) => ctx().log("info", line, { room_id: b.roomId }),
    });
  };

  const loadRoom = async (roomId: string, pass = true): Promise<void> => {
    for (const { binding, side, stateTs } of await loadBindings(ctx(), roomId)) {
      const key = boundKey(roomId, binding.id);
      const b: Bound = { roomId, binding, side, failures: 0, running: false, autoSince: stateTs };
      const engine = engineFor(b);
      if (engine !== undefined) b.engine = engine;
      const old = bound.get(key);
      if (old !== undefined) old.retired = true;
      if (old?.timer !== undefined) clearTimeout(old.timer);
      bound.set(key, b);
      if (pass) schedule(syncDeps(), b);
    }
  };

  const setUp = async (roomId: string): Promise<void> => {
    const c = ctx();
    const anchor = await c.send(roomId, CALENDAR_ANCHOR, { version: CALENDAR_SCHEMA_VERSION, name: "Agenda" });
    await c.api("PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${CALENDAR_STATE}/${BINDING_ID}`, buildCalendarBinding({ anchor, name: "Agenda", bot: c.botUserId }));
    await loadRoom(roomId);
  };

  /** Binds the room's calendar to a collection; without URL, unbinds it (Matrix-only). */
  const bindCaldav = async (roomId: string, url: string | undefined): Promise<void> => {
    const b = bound.get(boundKey(roomId, BINDING_ID));
    if (b === undefined) throw new Error(`no calendar in ${roomId}`);
    const { version: _v, id: _id, error: _e, caldav: _c, ...rest } = b.binding;
    const target = url === undefined ? undefined : new URL(url);
    const caldav = target === undefined ? {} : { caldav: { server: target.origin, collection: target.pathname } };
    await serialised(roomId, async () => {
      b.retired = true; // its pass in flight must not write its (old) binding back
      try {
        await ctx().api("PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${CALENDAR_STATE}/${BINDING_ID}`, buildCalendarBinding({ ...rest, ...caldav }));
      } catch (e) {
        b.retired = false;
        throw e;
      }
    });
    await loadRoom(roomId);
  };

  /** The demo's room bound to the demo's collection (a new Radicale each run: rebound each run). */
  const bindDemo = async (roomId?: string): Promise<void> => {
    if (o.demo === undefined) return;
    const c = ctx();
    const found = await c.api("GET", `/_matrix/client/v3/directory/room/${enc(o.demo.alias)}`).catch((): Record<string, unknown> => ({}));
    if (typeof found["room_id"] !== "string" || (roomId !== undefined && found["room_id"] !== roomId)) return;
    const b = bound.get(boundKey(found["room_id"], BINDING_ID));
    if (b === undefined) return;
    const url = o.demo.collectionUrl;
    const target = url === undefined ? undefined : new URL(url);
    if (b.binding.caldav?.server === target?.origin && b.binding.caldav?.collection === target?.pathname) return;
    await bindCaldav(found["room_id"], url);
    c.log("info", "demo calendar bound", { room_id: found["room_id"], collection: url ?? "none (Matrix-only)" });
  };

  const onCommand = async (ev: BotEvent, c: BotContext, args: string, lang: BotLang): Promise<void> => {
    const [sub, arg] = args.split(/\s+/);
    const to = { eventId: ev.eventId, threadRoot: ev.threadRoot };
    const b = bound.get(boundKey(ev.roomId, BINDING_ID));
    if (sub === "caldav" && arg !== undefined) {
      try {
        new URL(arg);
      } catch {
        await c.reply(ev.roomId, to, say(lang, "Adresse CalDAV invalide.", "Invalid CalDAV URL."));
        return;
      }
      if (b === undefined) return;
      await bindCaldav(ev.roomId, arg);
      const target = new URL(arg);
      const known = o.credentials[target.origin] !== undefined;
      await c.reply(ev.roomId, to, say(lang, `Agenda lié à ${target.origin}${target.pathname}${known ? "" : " (aucun identifiant configuré pour ce serveur)"}.`,
        `Calendar bound to ${target.origin}${target.pathname}${known ? "" : " (no credentials configured for this server)"}.`));
    } else if ((sub === "visio" || sub === "video") && b !== undefined) {
      await videoCommand(c, b, ev, (arg ?? "").toLowerCase(), lang);
    } else if ((sub === "flux" || sub === "feed") && b !== undefined) {
      const deps: FeedCommandDeps = { ctx: c, feeds, baseUrl: o.feedBaseUrl ?? `http://127.0.0.1:${running.bot.bridge.port}`, pending, now };
      await feedCommand(deps, b, ev, arg ?? "", lang);
    }
  };

  const onEvent = async (ev: BotEvent, c: BotContext): Promise<void> => {
    if (ev.type === "m.room.message" && typeof ev.content["body"] === "string") {
      const cmd = parseCommand(ev.content["body"], CALENDAR_COMMANDS);
      if (cmd?.kind === "command") return onCommand(ev, c, cmd.args, cmd.lang);
    }
    const mine = [...bound.values()].filter((b) => b.roomId === ev.roomId);
    if (ev.type === CALENDAR_STATE) return loadRoom(ev.roomId);
    if (ev.type === "m.room.power_levels" && ev.stateKey === "") for (const b of mine) b.side.setPowerLevels(ev.content);
    if (ev.type === "m.room.encryption") for (const b of mine) b.side.encrypted = true;
    const calendarish = ev.type === EVENT_UPDATE || ev.type === EVENT_RSVP || (ev.type === "m.room.message" && ev.content["msgtype"] === EVENT_MSGTYPE) || ev.redacts !== undefined;
    if (!calendarish) return;
    for (const b of mine) {
      if (ev.type === "m.room.message") b.side.liveRoots.add(ev.eventId);
      b.side.add({ event_id: ev.eventId, type: ev.type, sender: ev.sender, origin_server_ts: ev.originServerTs, content: ev.content, ...(ev.redacts === undefined ? {} : { redacts: ev.redacts }) });
      schedule(syncDeps(), b);
    }
  };

  let checking: Promise<number> = Promise.resolve(0);
  const checkReminders = (): Promise<number> => {
    checking = checking.catch(() => 0).then(() => sendDueEventReminders({ ctx: ctx(), bound: bound.values(), now, defaultMinutes: o.defaultReminderMinutes ?? [DEFAULT_REMINDER_MINUTES] }));
    return checking;
  };
  let tick: NodeJS.Timeout | undefined;
  const armTick = (): void => {
    tick = setTimeout(() => void checkReminders().finally(() => { if (!stopped) armTick(); }), o.reminderTickMs ?? 30_000);
  };

  const bot = await startBot({
    registrationPath: o.registrationPath, homeserverUrl: o.homeserverUrl, domain: o.domain, storeDir: o.storeDir, port: o.port, log: o.log, keyWaitMs: o.keyWaitMs, displayName: CALENDAR_BOT_NAME,
    handlers: {
      onJoined: async (roomId, _inviter, c) => {
        ctxRef = c;
        await loadRoom(roomId);
        if ([...bound.values()].some((b) => b.roomId === roomId)) return;
        await setUp(roomId).catch(async (e: unknown) => {
          c.log("warn", "calendar set-up failed", { room_id: roomId, error: e instanceof Error ? e.message : String(e) });
          await c.send(roomId, "m.room.message", { msgtype: "m.notice", body: "Pour installer l'agenda, donnez-moi le niveau 50 (modérateur) puis réinvitez-moi. (I need power level 50 to set up the calendar.)" });
        });
        await bindDemo(roomId).catch((e: unknown) => c.log("error", "demo calendar binding failed", { error: String(e) }));
      },
      onEvent,
      onStarted: async (c) => {
        ctxRef = c;
        const joined = await c.api("GET", "/_matrix/client/v3/joined_rooms");
        for (const roomId of Array.isArray(joined["joined_rooms"]) ? (joined["joined_rooms"] as unknown[]) : []) {
          if (typeof roomId === "string") await loadRoom(roomId, false).catch((e: unknown) => c.log("error", "calendar room load failed", { room_id: roomId, error: String(e) }));
        }
        // The demo's binding first: no pass against the previous run's (stopped) Radicale.
        await bindDemo().catch((e: unknown) => c.log("error", "demo calendar binding failed", { error: String(e) }));
        for (const b of bound.values()) schedule(syncDeps(), b);
      },
    },
  });
  ctxRef = bot.ctx;
  bot.bridge.bridge.appService.expressApp.get(/^\/calendar\/feed\//, (req: Request, res: Response) => serveFeed(req, res));
  const serveFeed = (req: Request, res: Response): void => {
    const secret = secretOfPath(req.path);
    const key = secret === undefined ? undefined : feeds.bindingOf(secret);
    const b = key === undefined ? undefined : bound.get(key);
    if (b === undefined) {
      res.status(404).type("text/plain").send("Not found\n");
      return;
    }
    const events = [...b.side.fold().events.values()].filter((ev) => !ev.cancelled).map((ev) => ({ uid: ev.uid, fields: ev, rsvps: ev.rsvps }));
    res.status(200).set({ "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex" })
      .send(buildFeedIcs(b.binding.name, events, now()));
  };
  const poll = setInterval(() => {
    for (const b of bound.values()) if (b.engine !== undefined) schedule(syncDeps(), b, 0);
  }, o.pollMs ?? 60_000);
  const running: RunningCalendarBot = {
    bot,
    bound,
    checkReminders,
    bindCaldav,
    async syncRoom(roomId) {
      for (const b of bound.values()) {
        if (b.roomId !== roomId) continue;
        while (b.running) await new Promise((r) => setTimeout(r, 20)); // the pass in flight first
        await runPass(syncDeps(), b);
      }
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(tick);
      for (const b of bound.values()) if (b.timer !== undefined) clearTimeout(b.timer);
      await checking.catch(() => 0);
      await bot.stop();
    },
  };
  await checkReminders();
  armTick();
  return running;
}
