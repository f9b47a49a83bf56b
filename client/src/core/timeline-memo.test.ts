import { strict as assert } from "node:assert";
import type { RawEvent } from "./raw-event.ts";
import { buildTimeline, TimelineMemo, type MessageItem, type TimelineItem } from "./timeline-model.ts";

const t0 = new Date(2026, 2, 2, 10).getTime();
const msg = (eventId: string, i: number, content: Record<string, unknown> = { msgtype: "m.text", body: eventId }, type = "m.room.message"): RawEvent =>
  ({ eventId, ts: t0 + i * 1000, sender: "@b:y", type, content });
const byId = (items: TimelineItem[]): Map<string, MessageItem> => new Map(items.flatMap((i) => (i.kind === "message" ? [[i.eventId, i] as const] : [])));

describe("client timeline memo", () => {
  it("keeps the items of unchanged events and rebuilds those whose relations changed", () => {
    const memo = new TimelineMemo();
    const events = Array.from({ length: 50 }, (_, i) => msg(`$m${i}`, i));
    const reply = msg("$reply", 60, { msgtype: "m.text", body: "re", "m.relates_to": { "m.in_reply_to": { event_id: "$m3" } } });
    const first = byId(buildTimeline([...events, reply], "@a:x", undefined, memo));
    // Same events again (new RawEvent objects with the same content): every item is the same object.
    const again = byId(buildTimeline([...events.map((e) => ({ ...e })), reply], "@a:x", undefined, memo));
    assert.ok([...again].every(([id, item]) => first.get(id) === item));
    // A reaction on $m1, an edit of $m3 (quoted by $reply): those three items change, nothing else.
    const reaction = msg("$r", 70, { "m.relates_to": { rel_type: "m.annotation", event_id: "$m1", key: "👍" } }, "m.reaction");
    const edit = msg("$e", 71, { msgtype: "m.text", body: "* new", "m.new_content": { msgtype: "m.text", body: "new" }, "m.relates_to": { rel_type: "m.replace", event_id: "$m3" } });
    const after = byId(buildTimeline([...events, reply, reaction, edit], "@a:x", undefined, memo));
    const changed = [...after].filter(([id, item]) => first.get(id) !== item).map(([id]) => id).sort();
    assert.deepEqual(changed, ["$m1", "$m3", "$reply"]);
    assert.equal(after.get("$m1")?.reactions[0]?.count, 1);
    assert.equal(after.get("$reply")?.replyTo?.body, "new");
    // The same output as without a memo.
    assert.deepEqual(buildTimeline([...events, reply, reaction, edit], "@a:x"), buildTimeline([...events, reply, reaction, edit], "@a:x", undefined, memo));
  });

  it("rebuilds an event whose state changed (local echo sent, redacted, decrypted)", () => {
    const memo = new TimelineMemo();
    const e = { ...msg("$m", 0), status: "sending" as const };
    const a = byId(buildTimeline([e], "@a:x", undefined, memo)).get("$m");
    const { status: _sent, ...sent } = e;
    const b = byId(buildTimeline([sent], "@a:x", undefined, memo)).get("$m");
    assert.notEqual(a, b);
    assert.equal(b?.status, undefined);
    const c = byId(buildTimeline([{ ...sent, redacted: true, content: {} }], "@a:x", undefined, memo)).get("$m");
    assert.equal(c?.redacted, true);
  });
});
