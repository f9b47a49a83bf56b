// Folds a room's events (oldest first) into what the timeline shows: messages with their latest
// edit applied, reactions aggregated, replies resolved, thread replies moved out of the main list,
// polls tallied and day separators. Same events in, same items out, whatever order relations came.
import { isRecord, relationOf, str, type RawEvent } from "./raw-event.ts";
import { calendarEventField, type EventCard } from "./calendar/event-card-model.ts";
import { foldPolls, isPollEvent, type PollEnders, type PollView } from "./poll-model.ts";
import { imageInfoOf, type ImageInfo } from "./image-info.ts";

export interface FileInfo {
  name: string;
  mimetype: string | undefined;
  size: number | undefined;
  /** mxc:// URL of an unencrypted file, or of the ciphertext when `encrypted` is set. */
  url: string;
  encrypted: Record<string, unknown> | undefined;
  /** m.image: size, alt text and thumbnail for the preview (image-info.ts). */
  image?: ImageInfo | undefined;
}

/** One reaction key on a message: who reacted (user ids, in the order their reactions came), whether I did. */
export interface ReactionView { key: string; count: number; senders: string[]; mine: boolean; myEventId: string | undefined }

export interface MessageItem {
  kind: "message";
  eventId: string;
  sender: string;
  ts: number;
  msgtype: string;
  body: string;
  /** Sender-provided HTML (org.matrix.custom.html); the view sanitises it before display. */
  html: string | undefined;
  edited: boolean;
  redacted: boolean;
  undecryptable: boolean;
  status: RawEvent["status"];
  replyTo: { eventId: string; sender: string | undefined; body: string | undefined } | undefined;
  reactions: ReactionView[];
  file: FileInfo | undefined;
  threadReplies: number;
  /** The latest reply in this message's thread (loaded events only), for the "n réponses" line. */
  threadLast: { eventId: string; sender: string; body: string } | undefined;
  poll: PollView | undefined;
  /** A calendar event root (msgtype fr.entente.event), read for its card (core/calendar/). */
  calendarEvent?: EventCard;
}

export interface DayItem { kind: "day"; day: string; ts: number }
export type TimelineItem = MessageItem | DayItem;

const SHOWN = new Set(["m.room.message", "m.room.encrypted", "m.sticker"]);

/** Local calendar day as YYYY-MM-DD: separators follow the agent's own day, not UTC. */
export function localDay(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Drops the "> quoted" fallback that older clients put before a reply's own text. */
export function stripReplyFallback(body: string): string {
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && (lines[i] ?? "").startsWith(">")) i++;
  if (i === 0) return body;
  if (lines[i] === "") i++;
  return lines.slice(i).join("\n");
}

const stripHtmlReplyFallback = (html: string): string => html.replace(/<mx-reply>[\s\S]*?<\/mx-reply>/g, "");

function fileOf(content: Record<string, unknown>): FileInfo | undefined {
  const msgtype = str(content["msgtype"]);
  if (msgtype !== "m.file" && msgtype !== "m.image" && msgtype !== "m.video" && msgtype !== "m.audio") return undefined;
  const encrypted = isRecord(content["file"]) ? content["file"] : undefined;
  const url = encrypted !== undefined ? str(encrypted["url"]) : str(content["url"]);
  if (url === undefined) return undefined;
  const info = isRecord(content["info"]) ? content["info"] : {};
  const size = info["size"];
  return { name: str(content["filename"]) ?? str(content["body"]) ?? "fichier", mimetype: str(info["mimetype"]), size: typeof size === "number" ? size : undefined, url, encrypted, ...(msgtype === "m.image" ? { image: imageInfoOf(content) } : {}) };
}

interface Relations {
  edits: Map<string, RawEvent>;
  reactions: Map<string, Map<string, { senders: Set<string>; mine: string | undefined }>>;
  threadCounts: Map<string, number>;
  threadLast: Map<string, RawEvent>;
  /** Every event some loaded event relates to or replies to (loaded or not). */
  targets: Set<string>;
}

function collectRelations(events: readonly RawEvent[], me: string, byId: Map<string, RawEvent>): Relations {
  const rel: Relations = { edits: new Map(), reactions: new Map(), threadCounts: new Map(), threadLast: new Map(), targets: new Set() };
  for (const e of events) {
    if (e.redacted === true) continue;
    const r = relationOf(e.content);
    if (r.inReplyTo !== undefined) rel.targets.add(r.inReplyTo);
    if (r.eventId === undefined) continue;
    rel.targets.add(r.eventId);
    if (r.relType === "m.replace") {
      // Only the original sender may edit (spec: Event replacements, validity).
      const original = byId.get(r.eventId);
      if (original !== undefined && original.sender !== e.sender) continue;
      const prev = rel.edits.get(r.eventId);
      if (prev === undefined || prev.ts < e.ts || (prev.ts === e.ts && prev.eventId < e.eventId)) rel.edits.set(r.eventId, e);
    } else if (r.relType === "m.annotation" && e.type === "m.reaction" && r.key !== undefined) {
      const perKey = rel.reactions.get(r.eventId) ?? new Map<string, { senders: Set<string>; mine: string | undefined }>();
      const entry = perKey.get(r.key) ?? { senders: new Set<string>(), mine: undefined };
      entry.senders.add(e.sender);
      if (e.sender === me) entry.mine = e.eventId;
      perKey.set(r.key, entry);
      rel.reactions.set(r.eventId, perKey);
    } else if (r.relType === "m.thread") {
      rel.threadCounts.set(r.eventId, (rel.threadCounts.get(r.eventId) ?? 0) + 1);
      const last = rel.threadLast.get(r.eventId);
      if (last === undefined || last.ts <= e.ts) rel.threadLast.set(r.eventId, e);
    }
  }
  return rel;
}

function latestBody(e: RawEvent, rel: Relations): string {
  if (e.redacted === true) return "";
  const edited = rel.edits.get(e.eventId)?.content["m.new_content"];
  return (isRecord(edited) ? str(edited["body"]) : undefined) ?? str(e.content["body"]) ?? "";
}

function messageItem(e: RawEvent, rel: Relations, byId: Map<string, RawEvent>, polls: Map<string, PollView>): MessageItem {
  const edit = rel.edits.get(e.eventId);
  const newContent = edit !== undefined && isRecord(edit.content["m.new_content"]) ? edit.content["m.new_content"] : undefined;
  const content = e.redacted === true ? {} : (newContent ?? e.content);
  const r = relationOf(e.content);
  const replyTarget = r.inReplyTo !== undefined && !(r.relType === "m.thread" && r.isFallingBack) ? r.inReplyTo : undefined;
  const target = replyTarget !== undefined ? byId.get(replyTarget) : undefined;
  const format = str(content["format"]);
  const rawHtml = format === "org.matrix.custom.html" ? str(content["formatted_body"]) : undefined;
  const rawBody = str(content["body"]) ?? "";
  const reactions = [...(rel.reactions.get(e.eventId) ?? new Map<string, { senders: Set<string>; mine: string | undefined }>())]
    .map(([key, v]) => ({ key, count: v.senders.size, senders: [...v.senders], mine: v.mine !== undefined, myEventId: v.mine }));
  return {
    kind: "message",
    eventId: e.eventId,
    sender: e.sender,
    ts: e.ts,
    msgtype: str(content["msgtype"]) ?? (e.type === "m.room.encrypted" ? "m.bad.encrypted" : "m.text"),
    body: replyTarget !== undefined ? stripReplyFallback(rawBody) : rawBody,
    html: rawHtml !== undefined ? stripHtmlReplyFallback(rawHtml) : undefined,
    edited: newContent !== undefined,
    redacted: e.redacted === true,
    undecryptable: e.undecryptable === true || (e.type === "m.room.encrypted" && e.redacted !== true),
    status: e.status,
    replyTo: replyTarget === undefined ? undefined : {
      eventId: replyTarget, sender: target?.sender, body: target === undefined ? undefined : stripReplyFallback(latestBody(target, rel)),
    },
    reactions,
    file: e.redacted === true ? undefined : fileOf(content),
    threadReplies: rel.threadCounts.get(e.eventId) ?? 0,
    threadLast: threadLastOf(rel.threadLast.get(e.eventId), rel),
    poll: polls.get(e.eventId),
    ...calendarEventField(content),
  };
}

function threadLastOf(e: RawEvent | undefined, rel: Relations): MessageItem["threadLast"] {
  if (e === undefined) return undefined;
  const undecryptable = e.undecryptable === true || e.type === "m.room.encrypted";
  return { eventId: e.eventId, sender: e.sender, body: undecryptable ? "…" : latestBody(e, rel) };
}

/** Row key of an item in the virtualised list: the event id, or the day for a separator. */
export const itemKey = (i: TimelineItem): string => (i.kind === "day" ? `day:${i.day}` : i.eventId);

/** Same sender as the message just above, same day, within five minutes: no name line again. */
export function continuesGroup(prev: TimelineItem | undefined, cur: TimelineItem): boolean {
  return prev?.kind === "message" && cur.kind === "message" && prev.sender === cur.sender && !prev.redacted
    && cur.ts - prev.ts < 5 * 60_000 && cur.ts >= prev.ts && cur.replyTo === undefined;
}

/** Is this event a reply in a thread (shown in the thread panel, not the main timeline)? */
export function threadRootOf(e: RawEvent): string | undefined {
  const r = relationOf(e.content);
  return r.relType === "m.thread" ? r.eventId : undefined;
}

function isShownInMain(e: RawEvent): boolean {
  const r = relationOf(e.content);
  if (r.relType === "m.replace" || r.relType === "m.thread") return false;
  return SHOWN.has(e.type) || (isPollEvent(e.type) === "start");
}

/**
 * Items kept from one build to the next (one memo per room and list): an event whose content, state
 * and relations did not change keeps the same item object, so 10,000 events are not re-folded and
 * the virtualised list re-renders nothing for them after each sync or page of history.
 */
export class TimelineMemo {
  readonly messages = new Map<string, { e: RawEvent; fp: string; item: MessageItem }>();
  readonly days = new Map<string, DayItem>();
  /** The last build: the same events (same objects, same order) give back the same items array;
   * events only added before or after them are folded on their own (see `foldAround`). */
  last: { events: readonly RawEvent[]; me: string; items: TimelineItem[]; targets: Set<string>; ids: Map<string, RawEvent> } | undefined;
  /** How many builds folded only the new events (tests, profiling). */
  around = 0;
}

/** Same events, same objects, same order (a raw event is a new object whenever it changes). */
export function sameEvents(a: readonly RawEvent[], b: readonly RawEvent[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sameRaw = (a: RawEvent, b: RawEvent): boolean =>
  a === b || (a.content === b.content && a.type === b.type && a.sender === b.sender && a.ts === b.ts
    && a.status === b.status && a.redacted === b.redacted && a.undecryptable === b.undecryptable);

/** What, besides the event itself, its item depends on: edits, reactions, thread, quoted event, poll. */
function fingerprint(e: RawEvent, rel: Relations, byId: Map<string, RawEvent>, polls: Map<string, PollView>): string {
  const id = e.eventId;
  const replyTo = relationOf(e.content).inReplyTo;
  // Most events have no relation at all: nothing to spell out.
  if (replyTo === undefined && !rel.edits.has(id) && !rel.reactions.has(id) && !rel.threadCounts.has(id) && !polls.has(id)) return "";
  const reactions = rel.reactions.get(id);
  const thread = rel.threadLast.get(id);
  const target = replyTo !== undefined ? byId.get(replyTo) : undefined;
  const poll = polls.get(id);
  // The edit's type too: an encrypted edit is known by its clear relation before it is decrypted.
  const edit = rel.edits.get(id);
  return `${edit?.eventId ?? ""}:${edit?.type ?? ""}|${reactions === undefined ? "" : [...reactions].map(([k, v]) => `${k}:${[...v.senders].join(" ")}:${v.mine ?? ""}`).join(",")}`
    + `|${rel.threadCounts.get(id) ?? 0}:${thread?.eventId ?? ""}:${thread !== undefined ? rel.edits.get(thread.eventId)?.eventId ?? "" : ""}`
    + `|${replyTo ?? ""}:${target === undefined ? "-" : `${target.redacted === true}:${rel.edits.get(target.eventId)?.eventId ?? ""}`}`
    + `|${poll === undefined ? "" : JSON.stringify(poll)}`;
}

function build(events: readonly RawEvent[], me: string, keep: (e: RawEvent) => boolean, pollEnders?: PollEnders, memo?: TimelineMemo, seen?: (targets: Set<string>, byId: Map<string, RawEvent>) => void): TimelineItem[] {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const rel = collectRelations(events, me, byId);
  seen?.(rel.targets, byId);
  const polls = foldPolls(events, me, pollEnders);
  const items: TimelineItem[] = [];
  let lastDay = "";
  let day = "";
  // The local day is recomputed only when an event falls outside the current day's bounds.
  let dayStart = Infinity;
  let dayEnd = -Infinity;
  for (const e of events) {
    if (!keep(e)) continue;
    if (e.ts < dayStart || e.ts >= dayEnd) {
      const d = new Date(e.ts);
      dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
      day = localDay(e.ts);
    }
    if (day !== lastDay) {
      let dayItem = memo?.days.get(day);
      if (dayItem === undefined || dayItem.ts !== e.ts) {
        dayItem = { kind: "day", day, ts: e.ts };
        memo?.days.set(day, dayItem);
      }
      items.push(dayItem);
      lastDay = day;
    }
    if (memo === undefined) {
      items.push(messageItem(e, rel, byId, polls));
      continue;
    }
    const fp = fingerprint(e, rel, byId, polls);
    const cached = memo.messages.get(e.eventId);
    if (cached !== undefined && cached.fp === fp && sameRaw(cached.e, e)) {
      items.push(cached.item);
    } else {
      const item = messageItem(e, rel, byId, polls);
      memo.messages.set(e.eventId, { e, fp, item });
      items.push(item);
    }
  }
  return items;
}

/** The main timeline: everything but edits, reactions, redactions, state and thread replies. */
export function buildTimeline(events: readonly RawEvent[], me: string, pollEnders?: PollEnders, memo?: TimelineMemo): TimelineItem[] {
  // A sync or a re-render with nothing new (typing, receipts, a repeated refresh after a page of
  // history) does not walk every loaded event again, and the list keeps its identity (no re-layout).
  // Who may end a poll follows the room's power levels: a change to them is a new state event.
  const last = memo?.last;
  if (memo !== undefined && last !== undefined && last.me === me) {
    if (sameEvents(last.events, events)) return last.items;
    const items = foldAround(last, events, me, memo, pollEnders);
    if (items !== undefined) {
      memo.around++;
      memo.last = { ...last, events, items };
      return items;
    }
  }
  let targets = new Set<string>();
  let ids = new Map<string, RawEvent>();
  const items = build(events, me, isShownInMain, pollEnders, memo, (t, byId) => { targets = t; ids = byId; });
  if (memo !== undefined) memo.last = { events, me, items, targets, ids };
  return items;
}

/** Where the previous events sit, unchanged and in one piece, in the new list: how many came before and after. */
export function placement(old: readonly RawEvent[], now: readonly RawEvent[]): { before: number; after: number } | undefined {
  if (old.length === 0 || now.length < old.length) return undefined;
  const start = now.indexOf(old[0] as RawEvent);
  if (start < 0 || start + old.length > now.length) return undefined;
  for (let i = 1; i < old.length; i++) if (now[start + i] !== old[i]) return undefined;
  return { before: start, after: now.length - start - old.length };
}

/** No relation, no reply, not a poll: nothing else's item depends on it, and its item on nothing else. */
const standalone = (e: RawEvent): boolean => !isRecord(e.content["m.relates_to"]) && isPollEvent(e.type) === undefined;

const lastDayOf = (items: readonly TimelineItem[]): DayItem | undefined => {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it?.kind === "day") return it;
  }
  return undefined;
};

/**
 * A page of history before the loaded events, or a sync after them, folded on its own and put
 * around the previous items, when the two cannot change each other's items: no loaded event relates
 * to or replies to a new one, no older event relates to or replies to a loaded one (its relations
 * stay within the page or point further back), and newer events stand alone (a reaction, edit or
 * reply arriving by sync changes a loaded item: full build). A day separator at a seam is kept once,
 * the earlier one: the same items, the same objects as a full build. Otherwise undefined.
 */
function foldAround(last: NonNullable<TimelineMemo["last"]>, events: readonly RawEvent[], me: string, memo: TimelineMemo, pollEnders?: PollEnders): TimelineItem[] | undefined {
  const at = placement(last.events, events);
  if (at === undefined) return undefined;
  const before = events.slice(0, at.before);
  const after = events.slice(events.length - at.after);
  for (const e of before) {
    if (last.targets.has(e.eventId)) return undefined;
    const r = relationOf(e.content);
    if ((r.eventId !== undefined && last.ids.has(r.eventId)) || (r.inReplyTo !== undefined && last.ids.has(r.inReplyTo))) return undefined;
  }
  for (const e of after) if (!standalone(e) || last.targets.has(e.eventId)) return undefined;
  const out = build(before, me, isShownInMain, pollEnders, memo, (targets, byId) => {
    for (const t of targets) last.targets.add(t);
    for (const [id, e] of byId) last.ids.set(id, e);
  });
  for (const e of after) last.ids.set(e.eventId, e);
  const join = (part: readonly TimelineItem[]): void => {
    const first = part[0];
    const seam = lastDayOf(out);
    if (first?.kind === "day" && seam !== undefined && seam.day === first.day) {
      // The separator above the seam stays; the memo keeps that one for the next full build.
      memo.days.set(seam.day, seam);
      for (let i = 1; i < part.length; i++) out.push(part[i] as TimelineItem);
    } else {
      for (const it of part) out.push(it);
    }
  };
  join(last.items);
  join(build(after, me, isShownInMain, undefined, memo));
  return out;
}

/** One thread: its root then its replies, oldest first. */
export function buildThread(events: readonly RawEvent[], me: string, rootId: string): TimelineItem[] {
  return build(events, me, (e) => e.eventId === rootId || (threadRootOf(e) === rootId && SHOWN.has(e.type)));
}
