// Pull half of a pass: what changed in the CalDAV collection since the last pass (RFC 6578
// sync-collection, or the ctag and a listing when the server has no sync) is carried to the room.
// Our own writes come back with the etag we recorded (or, if the server rewrote them, the same
// content): recognised, not echoed.
import type { HrefEtag } from "../caldav/caldav-port.ts";
import { ICS_LIMITS } from "../ics/ics-limits.ts";
import { parseIcs } from "../ics/ics-parse.ts";
import { canonicalJson, changedFields, fieldsWire, mergeFields, rsvpKey } from "./merge.ts";
import { mirrorAnswers } from "./mirror-answers.ts";
import type { RoomCalendarEvent } from "./room-side.ts";
import { noteWrite, type SyncContext } from "./sync-context.ts";

interface RemoteChanges {
  changed: HrefEtag[];
  deleted: string[];
}

async function listingChanges(ctx: SyncContext, listing: HrefEtag[]): Promise<RemoteChanges> {
  const listed = new Set(listing.map((o) => o.href));
  const deleted = Object.values(ctx.state.objects).map((r) => r.href).filter((h) => !listed.has(h));
  return { changed: listing, deleted };
}

async function remoteChanges(ctx: SyncContext): Promise<RemoteChanges> {
  const { state, caldav } = ctx;
  if (state.mode !== "ctag") {
    const r = await caldav.syncCollection(state.syncToken);
    if (r.kind === "changes") {
      const full = state.syncToken === undefined;
      state.syncToken = r.token;
      state.mode = "sync-collection";
      return full ? listingChanges(ctx, r.changed) : r;
    }
    if (r.kind === "invalid-token") {
      ctx.log(`binding ${ctx.bindingId}: sync token refused, full resync`);
      delete state.syncToken;
      return remoteChanges(ctx);
    }
    ctx.log(`binding ${ctx.bindingId}: no sync-collection on ${caldav.url}, using the ctag`);
    state.mode = "ctag";
  }
  const ctag = await caldav.ctag();
  if (ctag !== undefined && ctag === state.ctag) return { changed: [], deleted: [] };
  const changes = await listingChanges(ctx, await caldav.list());
  if (ctag !== undefined) state.ctag = ctag;
  return changes;
}

function needsFetch(ctx: SyncContext, c: HrefEtag, uidByHref: Map<string, string>): boolean {
  if (c.etag === undefined) return true;
  const uid = uidByHref.get(c.href);
  if (uid !== undefined && ctx.state.objects[uid]?.etag === c.etag) return false;
  return ctx.state.skipped[c.href]?.etag !== c.etag;
}

export async function pullRemote(ctx: SyncContext): Promise<void> {
  const changes = await remoteChanges(ctx);
  const uidByHref = new Map(Object.entries(ctx.state.objects).map(([uid, r]) => [r.href, uid]));
  const hrefs: string[] = [];
  for (const c of changes.changed) {
    if (!needsFetch(ctx, c, uidByHref)) continue;
    // Judged on the listing's size: a 10 MB object is not even downloaded.
    if (c.size !== undefined && c.size > ICS_LIMITS.objectBytes) skip(ctx, c.href, c.etag, `calendar object is ${c.size} bytes, over the ${ICS_LIMITS.objectBytes} byte limit`);
    else hrefs.push(c.href);
  }
  if (hrefs.length === 0 && changes.deleted.length === 0) return;
  const objects = hrefs.length === 0 ? [] : await ctx.caldav.multiget(hrefs);
  ctx.stats.fetched += objects.length;
  const room = await ctx.room.load();
  for (const obj of objects) await pullObject(ctx, obj, room);
  for (const href of changes.deleted) await pullDeletion(ctx, href, uidByHref.get(href), room);
}

function skip(ctx: SyncContext, href: string, etag: string | undefined, reason: string): void {
  ctx.state.skipped[href] = etag === undefined ? { reason } : { etag, reason };
  ctx.stats.skipped.push({ href, reason });
  ctx.log(`binding ${ctx.bindingId}: skipped ${href}: ${reason}`);
}

async function pullObject(ctx: SyncContext, obj: { href: string; etag: string | undefined; data: string }, room: Map<string, RoomCalendarEvent>): Promise<void> {
  const parsed = parseIcs(obj.data, ctx.defaultTzid);
  if (!parsed.ok) return skip(ctx, obj.href, obj.etag, parsed.reason);
  delete ctx.state.skipped[obj.href];
  const { uid, fields, partstats } = parsed.value;
  const rec = ctx.state.objects[uid];
  if (rec !== undefined && rec.href !== obj.href) return skip(ctx, obj.href, obj.etag, `UID ${uid} is already the object ${rec.href}`);
  const remoteWire = fieldsWire(fields);
  const outside = Object.fromEntries([...partstats].filter(([id]) => id.startsWith("mailto:")));
  const etag = obj.etag === undefined ? {} : { etag: obj.etag };
  let ev = room.get(uid);
  // Answers given in the groupware become RSVPs; the record then holds them as written.
  const answered = ev === undefined ? undefined : await mirrorAnswers(ctx, ev, partstats, rec?.rsvps);
  if (ev !== undefined && answered !== undefined) {
    ev = { ...ev, rsvps: answered };
    room.set(uid, ev);
    if (rec !== undefined) rec.rsvps = rsvpKey(answered);
    await noteWrite(ctx);
  }
  if (rec !== undefined && canonicalJson(rec.base) === canonicalJson(remoteWire)) {
    // Our own write coming back, or a change we cannot see (DTSTAMP, another client's X- props).
    Object.assign(rec, etag, { outside });
    if (obj.etag === undefined) delete rec.etag;
    return;
  }
  if (ctx.direction === "to_caldav" || ev?.cancelled === true) {
    // The room is the reference (or the event is cancelled for good): push will overwrite/delete.
    ctx.state.objects[uid] = { href: obj.href, ...etag, base: remoteWire, rsvps: rec?.rsvps ?? "", outside };
    return;
  }
  if (ev === undefined) {
    const rootId = await ctx.room.create(uid, fields, { source: "caldav", binding: ctx.bindingId });
    const created = { rootId, uid, fields, cancelled: false, rsvps: [] };
    ctx.stats.roomWrites += 1;
    const rsvps = (await mirrorAnswers(ctx, created, partstats, undefined)) ?? [];
    room.set(uid, { ...created, rsvps });
    ctx.state.objects[uid] = { href: obj.href, ...etag, base: remoteWire, rsvps: rsvpKey(rsvps), outside };
    return noteWrite(ctx);
  }
  // First contact with no record (a crash between the write and the save): every field counts as
  // changed on both sides, so equal fields stay and different ones keep the room's value.
  const merged = mergeFields(rec?.base ?? {}, ev.fields, fields);
  ctx.stats.conflicts += merged.conflicts.length;
  if (merged.conflicts.length > 0) ctx.log(`binding ${ctx.bindingId}: ${uid} changed on both sides (${merged.conflicts.join(", ")}): the room's value kept`);
  const set = changedFields(fieldsWire(ev.fields), merged.fields);
  if (Object.keys(set).length > 0) {
    await ctx.room.update(ev.rootId, set);
    room.set(uid, { ...ev, fields: merged.fields });
    ctx.stats.roomWrites += 1;
  }
  // The base is what CalDAV holds now; if the merge kept room values, push sends them.
  ctx.state.objects[uid] = { href: obj.href, ...etag, base: remoteWire, rsvps: rec?.rsvps ?? rsvpKey(ev.rsvps), outside };
  await noteWrite(ctx);
}

async function pullDeletion(ctx: SyncContext, href: string, uid: string | undefined, room: Map<string, RoomCalendarEvent>): Promise<void> {
  delete ctx.state.skipped[href];
  if (uid === undefined) return;
  delete ctx.state.objects[uid];
  const ev = room.get(uid);
  // Deleted in CalDAV = cancelled in the room (a deletion wins over concurrent edits); with
  // direction to_caldav the room is the reference and push re-creates the object instead.
  if (ev === undefined || ev.cancelled || ctx.direction === "to_caldav") return;
  await ctx.room.cancel(ev.rootId);
  room.set(uid, { ...ev, cancelled: true });
  ctx.stats.roomWrites += 1;
  await noteWrite(ctx);
}
