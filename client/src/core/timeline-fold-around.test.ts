import { strict as assert } from "node:assert";
import { buildTimeline, placement, TimelineMemo } from "./timeline-model.ts";
import type { RawEvent } from "./raw-event.ts";

// 600 events over several local days (every 7 minutes, some hours apart), with replies, edits,
// reactions, thread replies, polls and state events here and there.
const T0 = new Date(2026, 2, 1, 20, 0).getTime();
function roomHistory(n: number): RawEvent[] {
  const out: RawEvent[] = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * 7 * 60_000 + (i % 50 === 0 ? 5 * 3_600_000 : 0) + Math.floor(i / 50) * 5 * 3_600_000;
    const sender = i % 3 === 0 ? "@b:y" : "@a:x";
    const id = `$e${i}`;
    const base = { eventId: id, sender, ts };
    if (i % 97 === 5) out.push({ ...base, type: "m.room.member", content: { membership: "join" } });
    else if (i % 41 === 7) out.push({ ...base, type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: `$e${i - 4}`, key: "👍" } } });
    else if (i % 53 === 9) out.push({ ...base, sender: "@a:x", type: "m.room.message", content: { msgtype: "m.text", body: "* corrigé", "m.new_content": { msgtype: "m.text", body: "corrigé" }, "m.relates_to": { rel_type: "m.replace", event_id: `$e${i - 3}` } } });
    // Loaded first; the message it quotes comes with the first page of history (no fold around then).
    else if (i === 450) out.push({ ...base, type: "m.room.message", content: { msgtype: "m.text", body: "réponse", "m.relates_to": { "m.in_reply_to": { event_id: "$e430" } } } });
    else if (i % 61 === 11) out.push({ ...base, type: "m.room.message", content: { msgtype: "m.text", body: "réponse", "m.relates_to": { "m.in_reply_to": { event_id: `$e${i - 12}` } } } });
    else if (i % 71 === 13) out.push({ ...base, type: "m.room.message", content: { msgtype: "m.text", body: "dans le fil", "m.relates_to": { rel_type: "m.thread", event_id: `$e${i - 2}`, is_falling_back: true, "m.in_reply_to": { event_id: `$e${i - 2}` } } } });
    else out.push({ ...base, type: "m.room.message", content: { msgtype: "m.text", body: `message ${i}` } });
  }
  return out;
}

describe("client timeline: pages and syncs folded around the loaded items", () => {
  it("gives the same items as a full build at every page of history and every sync", () => {
    const all = roomHistory(600);
    const memo = new TimelineMemo();
    // The room opens on the last 100, pages of 40 older ones arrive, then 60 newer ones one sync at a time.
    let from = 440;
    const to = 540;
    let loaded = all.slice(from, to);
    let prev = buildTimeline(loaded, "@a:x", undefined, memo);
    assert.deepEqual(prev, buildTimeline(loaded, "@a:x"));
    while (from > 0) {
      from = Math.max(0, from - 40);
      loaded = all.slice(from, to);
      const items = buildTimeline(loaded, "@a:x", undefined, memo);
      assert.deepEqual(items, buildTimeline(loaded, "@a:x"), `history from ${from}`);
      // Items of events that did not change are the same objects (nothing re-rendered for them).
      const before = new Map(prev.flatMap((i) => (i.kind === "message" ? [[i.eventId, i] as const] : [])));
      const kept = items.filter((i) => i.kind === "message" && before.get(i.eventId) === i).length;
      assert.ok(kept >= before.size - 5, `kept ${kept} of ${before.size}`);
      prev = items;
    }
    const pages = memo.around;
    assert.ok(pages >= 5 && pages < 11, `pages folded around the loaded items: ${pages} of 11 (one crosses a reply: full build)`);
    for (let end = to + 1; end <= 600; end++) {
      loaded = all.slice(0, end);
      assert.deepEqual(buildTimeline(loaded, "@a:x", undefined, memo), buildTimeline(loaded, "@a:x"), `sync up to ${end}`);
    }
    assert.ok(memo.around - pages >= 40, `syncs folded around: ${memo.around - pages} of 60`);
  });

  it("keeps one day separator at a seam, the earlier one", () => {
    const day = (h: number, id: string): RawEvent => ({ eventId: id, type: "m.room.message", sender: "@a:x", ts: new Date(2026, 2, 3, h).getTime(), content: { msgtype: "m.text", body: id } });
    const memo = new TimelineMemo();
    buildTimeline([day(12, "$c"), day(13, "$d")], "@a:x", undefined, memo);
    const items = buildTimeline([day(9, "$a"), day(10, "$b"), day(12, "$c"), day(13, "$d"), day(14, "$e")], "@a:x", undefined, memo);
    assert.deepEqual(items.map((i) => (i.kind === "day" ? `day ${i.ts}` : i.eventId)), [`day ${new Date(2026, 2, 3, 9).getTime()}`, "$a", "$b", "$c", "$d", "$e"]);
  });

  it("finds the previous events in the new list only when they are unchanged and in one piece", () => {
    const a = roomHistory(10);
    assert.deepEqual(placement(a.slice(3, 6), a), { before: 3, after: 4 });
    assert.equal(placement(a.slice(3, 6), [...a.slice(0, 4), { ...(a[4] as RawEvent) }, ...a.slice(5)]), undefined);
    assert.equal(placement(a.slice(3, 6), a.slice(4)), undefined);
    assert.equal(placement([], a), undefined);
  });
});
