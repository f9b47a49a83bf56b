// `!agenda flux activer|confirmer|révoquer` (`!calendar feed enable|confirm|revoke`): the binding's
// read-only ICS feed, for room admins only. The URL's secret lives in the bot's store; the state
// only says whether a feed exists (`ics_feed`). In an end-to-end encrypted room, enabling first
// says plainly that the feed publishes the calendar unencrypted to whoever has the URL, and waits
// for `!agenda flux confirmer` from the same admin (10 minutes). Revoking makes the old URL 404.
import type { BotContext, BotEvent } from "../../../kit/src/start-bot.ts";
import { say, type BotLang } from "../../../kit/src/commands.ts";
import type { FeedStore } from "../feed/feed-store.ts";
import { feedUrl } from "../feed/feed-url.ts";
import { writeBinding } from "./binding-state.ts";
import { boundKey, type Bound } from "./bound.ts";
import { isRoomAdmin } from "./room-admins.ts";

export const CONFIRM_WINDOW_MS = 10 * 60_000;

export interface FeedCommandDeps {
  ctx: BotContext;
  feeds: FeedStore;
  /** public base of the bot's HTTP listener */
  baseUrl: string;
  /** binding key → the admin who asked, and until when a confirmation counts */
  pending: Map<string, { sender: string; until: number }>;
  now: () => number;
}

const ENABLE = new Set(["activer", "enable", "on"]);
const CONFIRM = new Set(["confirmer", "confirm"]);
const REVOKE = new Set(["révoquer", "revoquer", "désactiver", "desactiver", "revoke", "disable", "off"]);

export const encryptedWarning = (lang?: BotLang): string => say(lang,
  "⚠️ Ce salon est chiffré de bout en bout. Le flux ICS publie les événements de l'agenda NON CHIFFRÉS à toute personne ou tout logiciel " +
  "qui connaît son adresse secrète (et ils restent lisibles par le serveur qui l'héberge). Pour l'activer quand même : !agenda flux confirmer (dans les 10 minutes).",
  "⚠️ This room is end-to-end encrypted. The ICS feed publishes the calendar's events UNENCRYPTED to any person or software " +
  "that knows its secret URL (and they stay readable by the server hosting it). To enable it anyway: !calendar feed confirm (within 10 minutes).");

/** `sub` is the word after `!agenda flux`; `lang` the language of the command (answers in both without one). */
export async function feedCommand(d: FeedCommandDeps, b: Bound, ev: BotEvent, sub: string, lang?: BotLang): Promise<void> {
  const to = { eventId: ev.eventId, threadRoot: ev.threadRoot };
  const key = boundKey(b.roomId, b.binding.id);
  if (!isRoomAdmin(b.side.levels, ev.sender)) {
    await d.ctx.reply(b.roomId, to, say(lang, "Seuls les administrateurs du salon (niveau 100) peuvent gérer le flux ICS.", "Only the room's admins (power level 100) can manage the ICS feed."), [ev.sender]);
    return;
  }
  const word = sub.toLowerCase();
  if (ENABLE.has(word)) {
    if (b.side.encrypted) {
      d.pending.set(key, { sender: ev.sender, until: d.now() + CONFIRM_WINDOW_MS });
      await d.ctx.reply(b.roomId, to, encryptedWarning(lang), [ev.sender]);
      return;
    }
    return enable(d, b, ev, lang);
  }
  if (CONFIRM.has(word)) {
    const p = d.pending.get(key);
    if (p === undefined || p.sender !== ev.sender || p.until < d.now()) {
      await d.ctx.reply(b.roomId, to, say(lang, "Rien à confirmer : tapez d'abord !agenda flux activer.", "Nothing to confirm: type !calendar feed enable first."), [ev.sender]);
      return;
    }
    d.pending.delete(key);
    return enable(d, b, ev, lang);
  }
  if (REVOKE.has(word)) {
    const had = await d.feeds.revoke(key);
    d.pending.delete(key);
    if (b.binding.icsFeed) await writeBinding(d.ctx, b, { ...b.binding, icsFeed: false });
    await d.ctx.reply(b.roomId, to, had ? say(lang, "Flux ICS révoqué : l'ancienne adresse ne fonctionne plus.", "ICS feed revoked: the old URL no longer works.") : say(lang, "Aucun flux ICS actif.", "No ICS feed is active."), [ev.sender]);
    d.ctx.log("info", "ics feed revoked", { room_id: b.roomId, binding: b.binding.id, had });
    return;
  }
  const on = d.feeds.secretOf(key) !== undefined;
  await d.ctx.reply(b.roomId, to, say(lang, `Flux ICS : ${on ? "activé" : "désactivé"}. Commandes : !agenda flux activer | révoquer.`, `ICS feed: ${on ? "enabled" : "disabled"}. Commands: !calendar feed enable | revoke.`), [ev.sender]);
}

async function enable(d: FeedCommandDeps, b: Bound, ev: BotEvent, lang?: BotLang): Promise<void> {
  const secret = await d.feeds.enable(boundKey(b.roomId, b.binding.id));
  if (!b.binding.icsFeed) await writeBinding(d.ctx, b, { ...b.binding, icsFeed: true });
  await d.ctx.reply(b.roomId, { eventId: ev.eventId, threadRoot: ev.threadRoot },
    say(lang, `Flux ICS activé (lecture seule) : ${feedUrl(d.baseUrl, secret)} — gardez cette adresse secrète ; !agenda flux révoquer la désactive.`,
      `Read-only ICS feed enabled: ${feedUrl(d.baseUrl, secret)} — keep this URL secret; !calendar feed revoke disables it.`), [ev.sender]);
  d.ctx.log("info", "ics feed enabled", { room_id: b.roomId, binding: b.binding.id, encrypted: b.side.encrypted });
}
