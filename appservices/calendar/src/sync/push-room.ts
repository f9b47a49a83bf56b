// Push half of a pass: room events that differ from what CalDAV last agreed to are written with
// conditional requests: a new object with If-None-Match: * at an href derived from its UID (a
// retried create cannot make a duplicate), a change with If-Match: <etag>. A 412 means CalDAV
// changed meanwhile: refetch, three-way merge against the base, write the merge to the room if it
// differs, and try again with the new etag.
import { buildIcs } from "../ics/ics-build.ts";
import { parseIcs } from "../ics/ics-parse.ts";
import type { CalendarEventFields, Rsvp, RsvpStatus } from "../protocol.ts";
import { canonicalJson, changedFields, fieldsWire, mergeFields, rsvpKey } from "./merge.ts";
import type { RoomCalendarEvent } from "./room-side.ts";
import { hrefFor, noteWrite, type SyncContext } from "./sync-context.ts";
import type { ObjectRecord } from "./sync-store.ts";

const MAX_ATTEMPTS = 3;
const FROM_PARTSTAT: Record<string, RsvpStatus> = { ACCEPTED: "accepted", DECLINED: "declined", TENTATIVE: "tentative" };

export async function pushRoom(ctx: SyncContext): Promise<void> {
  const room = await ctx.room.load();
  for (const ev of room.values()) {
    const rec = ctx.state.objects[ev.uid];
    if (ev.cancelled) {
      if (rec !== undefined) await removeRemote(ctx, ev.uid, rec);
      continue;
    }
    if (rec !== undefined && canonicalJson(rec.base) === canonicalJson(fieldsWire(ev.fields)) && rec.rsvps === rsvpKey(ev.rsvps)) continue;
    await pushEvent(ctx, ev, rec);
  }
}

/** RSVPs of members, plus the answers of outside attendees as CalDAV last had them. */
function answers(ev: RoomCalendarEvent, rec: ObjectRecord | undefined): Rsvp[] {
  const outside: Rsvp[] = [];
  for (const [id, ps] of Object.entries(rec?.outside ?? {})) {
    const status = FROM_PARTSTAT[ps];
    if (status !== undefined) outside.push({ userId: id, status });
  }
  return [...ev.rsvps, ...outside];
}

async function pushEvent(ctx: SyncContext, ev: RoomCalendarEvent, rec: ObjectRecord | undefined): Promise<void> {
  const href = rec?.href ?? hrefFor(ctx.caldav.url, ev.uid);
  let target: CalendarEventFields = ev.fields;
  let current = rec;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const ics = buildIcs({ uid: ev.uid, fields: target, rsvps: answers(ev, current) }, ctx.now());
    const res = current === undefined ? await ctx.caldav.create(href, ics) : await ctx.caldav.update(href, ics, current.etag);
    if (res.status === "ok") {
      const next: ObjectRecord = { href, base: fieldsWire(target), rsvps: rsvpKey(ev.rsvps) };
      if (res.etag !== undefined) next.etag = res.etag;
      if (current?.outside !== undefined) next.outside = current.outside;
      ctx.state.objects[ev.uid] = next;
      ctx.stats.remoteWrites += 1;
      return noteWrite(ctx);
    }
    if (res.status === "precondition-failed") ctx.stats.preconditionFailed += 1;
    const remote = await ctx.caldav.get(href);
    ctx.stats.fetched += 1;
    if (remote === undefined) {
      if (current === undefined) continue; // created and deleted meanwhile: try the create again
      return remoteWasDeleted(ctx, ev);
    }
    const parsed = parseIcs(remote.data, ctx.defaultTzid);
    if (!parsed.ok || parsed.value.uid !== ev.uid) {
      // Unreadable (or another UID at our href): the room's version replaces it.
      ctx.log(`binding ${ctx.bindingId}: ${href} ${parsed.ok ? `holds UID ${parsed.value.uid}` : `is unreadable (${parsed.reason})`}: overwritten from the room`);
      current = { href, ...(remote.etag === undefined ? {} : { etag: remote.etag }), base: {}, rsvps: "" };
      continue;
    }
    const merged = mergeFields(current?.base ?? {}, target, parsed.value.fields);
    ctx.stats.conflicts += merged.conflicts.length;
    const set = changedFields(fieldsWire(target), merged.fields);
    if (Object.keys(set).length > 0) {
      await ctx.room.update(ev.rootId, set);
      ctx.stats.roomWrites += 1;
    }
    target = merged.fields;
    const outside = Object.fromEntries([...parsed.value.partstats].filter(([id]) => id.startsWith("mailto:")));
    current = { href, ...(remote.etag === undefined ? {} : { etag: remote.etag }), base: fieldsWire(parsed.value.fields), rsvps: current?.rsvps ?? "", outside };
    if (canonicalJson(current.base) === canonicalJson(fieldsWire(target)) && current.rsvps === rsvpKey(ev.rsvps)) {
      ctx.state.objects[ev.uid] = current;
      return noteWrite(ctx);
    }
  }
  ctx.log(`binding ${ctx.bindingId}: ${href} kept changing during ${MAX_ATTEMPTS} attempts; next pass`);
}

async function remoteWasDeleted(ctx: SyncContext, ev: RoomCalendarEvent): Promise<void> {
  delete ctx.state.objects[ev.uid];
  if (ctx.direction === "to_caldav") return;
  await ctx.room.cancel(ev.rootId);
  ctx.stats.roomWrites += 1;
  await noteWrite(ctx);
}

async function removeRemote(ctx: SyncContext, uid: string, rec: ObjectRecord): Promise<void> {
  // A cancellation is final: on 412 (edited in CalDAV meanwhile), delete the new version too.
  let etag = rec.etag;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const res = await ctx.caldav.remove(rec.href, etag);
    if (res.status !== "precondition-failed") {
      if (res.status === "ok") ctx.stats.remoteWrites += 1;
      delete ctx.state.objects[uid];
      return noteWrite(ctx);
    }
    ctx.stats.preconditionFailed += 1;
    const remote = await ctx.caldav.get(rec.href);
    ctx.stats.fetched += 1;
    if (remote === undefined) {
      delete ctx.state.objects[uid];
      return noteWrite(ctx);
    }
    etag = remote.etag;
  }
}
