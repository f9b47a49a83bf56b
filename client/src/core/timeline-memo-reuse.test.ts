import { strict as assert } from "node:assert";
import { buildTimeline, sameEvents, TimelineMemo } from "./timeline-model.ts";
import type { RawEvent } from "./raw-event.ts";

const msg = (i: number, extra: Partial<RawEvent> = {}): RawEvent =>
  ({ eventId: `$${i}`, type: "m.room.message", sender: "@a:x", ts: 1_700_000_000_000 + i * 60_000, content: { msgtype: "m.text", body: `m${i}` }, ...extra });

describe("client timeline memo: nothing new, nothing rebuilt", () => {
  it("gives back the same items array for the same event objects, a new one when any event changes", () => {
    const events = Array.from({ length: 50 }, (_, i) => msg(i));
    const memo = new TimelineMemo();
    const first = buildTimeline(events, "@a:x", undefined, memo);
    assert.equal(buildTimeline([...events], "@a:x", undefined, memo), first, "same objects in a new array: same items");
    const edited = events.map((e, i) => (i === 10 ? { ...e, content: { msgtype: "m.text", body: "changé" } } : e));
    const second = buildTimeline(edited, "@a:x", undefined, memo);
    assert.notEqual(second, first);
    const changed = second.find((i) => i.kind === "message" && i.eventId === "$10");
    assert.equal(changed?.kind === "message" ? changed.body : undefined, "changé");
    const more = buildTimeline([...edited, msg(50)], "@a:x", undefined, memo);
    assert.equal(more.filter((i) => i.kind === "message").length, 51);
    assert.notEqual(buildTimeline([...edited, msg(50)], "@b:y", undefined, memo), more, "another reader: rebuilt");
  });

  it("compares lists by element identity and length", () => {
    const a = [msg(1), msg(2)];
    assert.equal(sameEvents(a, [...a]), true);
    assert.equal(sameEvents(a, [a[0] as RawEvent]), false);
    assert.equal(sameEvents(a, [a[0] as RawEvent, { ...(a[1] as RawEvent) }]), false);
  });
});
