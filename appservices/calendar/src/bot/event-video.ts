// The automatic video meeting of an event: an event asking for one (`video: {kind: "jitsi"}`
// without url), or any new timed event when auto-video is on (the binding's `auto_video`, set by
// `!agenda visio auto`, or the bot's --auto-video), gets the room's
// Jitsi widget (im.vector.modular.widgets, Element's shape, conference and widget ids derived
// from the UID by the protocol: the same widget whoever adds it, however often) and its
// `video.url` filled by one update.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { say, type BotLang } from "../../../kit/src/commands.ts";
import type { CalendarEvent } from "../protocol.ts";
import { eventMeetingWidget } from "../../../../widgets/kit/src/event-meeting.ts";
import { ROOM_WIDGET_EVENT } from "../../../../widgets/kit/src/widget-state.ts";
import { writeBinding } from "./binding-state.ts";
import type { Bound } from "./bound.ts";

export interface JitsiOptions {
  domain: string;
  /** our wrapper page; Element and our client render Jitsi from `data` anyway */
  wrapperUrl: string;
  /** new timed events of every binding get a meeting */
  auto?: boolean;
}

const enc = encodeURIComponent;

export function wantsVideo(ev: CalendarEvent, auto: boolean): boolean {
  if (ev.cancelled) return false;
  if (ev.video !== null) return ev.video.kind === "jitsi" && ev.video.url === undefined;
  // Auto: a new event (never updated: an agent who removed the meeting keeps it removed), timed.
  return auto && ev.updates === 0 && !("date" in ev.calendar.series.dtstart);
}

export async function addVideo(ctx: BotContext, b: Bound, ev: CalendarEvent, o: JitsiOptions, failed: Set<string>): Promise<void> {
  // Auto-video: for events members create after it was switched on, not for the room's history or
  // for a CalDAV import (which would add hundreds of widgets at once).
  const auto = (o.auto === true || (b.binding.autoVideo && ev.createdAt >= (b.autoSince ?? Infinity))) && b.side.liveRoots.has(ev.id);
  if (!wantsVideo(ev, auto) || failed.has(ev.id)) return;
  // The shared builder (widgets/kit): the same widget id and content as the calendar widget and
  // our client would write for this event.
  const m = eventMeetingWidget({ roomId: b.roomId, uid: ev.uid, summary: ev.summary, video: { kind: "jitsi" } }, { wrapperUrl: o.wrapperUrl, jitsiDomains: [o.domain] });
  if (!m.ok) {
    failed.add(ev.id);
    ctx.log("warn", "event video refused", { room_id: b.roomId, event: ev.id, reason: m.reason });
    return;
  }
  const path = `/_matrix/client/v3/rooms/${enc(b.roomId)}/state/${ROOM_WIDGET_EVENT}/${enc(m.widgetId)}`;
  try {
    const existing = await ctx.api("GET", path).catch((): Record<string, unknown> => ({}));
    if (existing["type"] === undefined) await ctx.api("PUT", path, m.content);
    await b.side.update(ev.id, { video: { kind: "jitsi", url: m.link } });
    ctx.log("info", "event video added", { room_id: b.roomId, event: ev.id, widget: m.widgetId });
  } catch (e) {
    // No power level for widgets, most likely: said once in the thread, not retried each pass.
    failed.add(ev.id);
    ctx.log("warn", "event video failed", { room_id: b.roomId, event: ev.id, error: e instanceof Error ? e.message : String(e) });
    await ctx.reply(b.roomId, { eventId: ev.id }, "Je ne peux pas ajouter la visio Jitsi à ce salon (niveau de pouvoir insuffisant pour les widgets). (I cannot add the Jitsi widget: power level too low.)").catch(() => undefined);
  }
}

/** `!agenda visio auto|manuel` (`!calendar video auto|manual`): the binding's auto-video switch, moderators (50) and up. */
export async function videoCommand(ctx: BotContext, b: Bound, ev: { eventId: string; sender: string; threadRoot?: string | undefined }, word: string, lang?: BotLang): Promise<void> {
  const to = { eventId: ev.eventId, threadRoot: ev.threadRoot };
  const on = word === "auto" ? true : word === "manuel" || word === "manual" ? false : undefined;
  if (on === undefined) {
    await ctx.reply(b.roomId, to, say(lang, `Visio automatique : ${b.binding.autoVideo ? "oui" : "non"}. Commandes : !agenda visio auto | manuel.`, `Automatic video: ${b.binding.autoVideo ? "on" : "off"}. Commands: !calendar video auto | manual.`), [ev.sender]);
    return;
  }
  if (b.side.levelOf(ev.sender) < 50) {
    await ctx.reply(b.roomId, to, say(lang, "Il faut être modérateur (niveau 50) pour changer la visio automatique.", "Changing automatic video needs a moderator (power level 50)."), [ev.sender]);
    return;
  }
  if (b.binding.autoVideo !== on) {
    await writeBinding(ctx, b, { ...b.binding, autoVideo: on });
    b.autoSince = Date.now();
  }
  await ctx.reply(b.roomId, to, on
    ? say(lang, "Visio automatique activée : chaque nouvel événement avec horaire aura sa réunion Jitsi.", "Automatic video on: each new timed event gets a Jitsi meeting.")
    : say(lang, "Visio automatique désactivée.", "Automatic video off."), [ev.sender]);
}
