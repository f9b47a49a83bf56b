import { strict as assert } from "node:assert";
import type { RawEvent } from "./raw-event.ts";
import { lastInThread, mergeThreadEvents, threadView } from "./thread-model.ts";

const DAY = 86_400_000;
const t0 = new Date(2026, 2, 2, 10).getTime();
const msg = (eventId: string, ts: number, body: string, root?: string, extra: Partial<RawEvent> = {}): RawEvent => ({
  eventId, ts, sender: "@b:y", type: "m.room.message",
  content: { msgtype: "m.text", body, ...(root !== undefined ? { "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } } : {}) },
  ...extra,
});

describe("client threads", () => {
  const root = msg("$root", t0, "Racine");
  const r1 = msg("$r1", t0 + DAY, "Un", "$root");
  const r2 = msg("$r2", t0 + DAY + 5, "Deux", "$root");
  const other = msg("$o", t0 + DAY + 1, "Ailleurs", "$autre");

  it("merges live and fetched events once each, oldest first, the live copy winning", () => {
    const fetchedR2 = { ...r2, content: { ...r2.content, body: "ancienne copie" } };
    const merged = mergeThreadEvents([root, r2], [r1, fetchedR2]);
    assert.deepEqual(merged.map((e) => e.eventId), ["$root", "$r1", "$r2"]);
    assert.equal(merged[2]?.content["body"], "Deux");
  });

  it("falls back to the latest reply, else the root; never to a local echo", () => {
    assert.equal(lastInThread([root, r1, other, r2], "$root"), "$r2");
    assert.equal(lastInThread([root, other], "$root"), "$root");
    assert.equal(lastInThread([root, r1, msg("~local", t0 + 2 * DAY, "envoi", "$root", { status: "sending" })], "$root"), "$r1");
  });

  it("shows the root apart and the replies with their own day separators", () => {
    const v = threadView([root, r1, other, r2], "@a:x", "$root");
    assert.equal(v.root?.kind === "message" ? v.root.body : undefined, "Racine");
    assert.deepEqual(v.replies.map((i) => (i.kind === "day" ? "day" : i.body)), ["day", "Un", "Deux"], "other threads left out, root's lone day dropped");
    assert.equal(threadView([r1], "@a:x", "$root").root, undefined, "root not known yet");
  });
});
