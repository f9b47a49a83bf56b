import { strict as assert } from "node:assert";
import { buildThread, buildTimeline, stripReplyFallback, type MessageItem } from "./timeline-model.ts";
import { editContent, reactionContent, replyContent, textContent } from "./message-content.ts";
import type { RawEvent } from "./raw-event.ts";

const day1 = new Date(2026, 2, 3, 10).getTime();
const day2 = new Date(2026, 2, 4, 10).getTime();
let n = 0;
const ev = (sender: string, type: string, content: Record<string, unknown>, ts = day1 + n * 1000, extra: Partial<RawEvent> = {}): RawEvent => ({ eventId: `$e${++n}`, sender, type, content, ts, ...extra });
const messages = (items: ReturnType<typeof buildTimeline>): MessageItem[] => items.filter((i): i is MessageItem => i.kind === "message");

describe("client timeline model", () => {
  it("applies the latest edit of the original sender only, and marks it edited", () => {
    const m = ev("@a:x", "m.room.message", textContent("bonjour"));
    const e1 = ev("@a:x", "m.room.message", editContent(m.eventId, "bonjour à tous"));
    const e2 = ev("@a:x", "m.room.message", editContent(m.eventId, "bonjour à **tous**"));
    const forged = ev("@b:y", "m.room.message", editContent(m.eventId, "piraté"), day1 + 999_999);
    const [msg] = messages(buildTimeline([m, e2, e1, forged].sort((a, b) => a.ts - b.ts), "@a:x"));
    assert.equal(msg?.body, "bonjour à **tous**");
    assert.match(msg?.html ?? "", /<strong>tous<\/strong>/);
    assert.equal(msg?.edited, true);
    assert.equal(messages(buildTimeline([m, e1, e2], "@a:x")).length, 1, "edits are not shown as messages");
  });

  it("aggregates reactions per key with distinct senders and my own reaction", () => {
    const m = ev("@a:x", "m.room.message", textContent("vote"));
    const evs = [m, ev("@a:x", "m.reaction", reactionContent(m.eventId, "👍")), ev("@b:y", "m.reaction", reactionContent(m.eventId, "👍")),
      ev("@b:y", "m.reaction", reactionContent(m.eventId, "👍")), ev("@b:y", "m.reaction", reactionContent(m.eventId, "🎉")),
      ev("@c:y", "m.reaction", reactionContent(m.eventId, "🎉"), undefined, { redacted: true })];
    const [msg] = messages(buildTimeline(evs, "@a:x"));
    assert.deepEqual(msg?.reactions.map((r) => [r.key, r.count, r.mine]), [["👍", 2, true], ["🎉", 1, false]]);
    assert.deepEqual(msg?.reactions.map((r) => r.senders), [["@a:x", "@b:y"], ["@b:y"]], "who reacted, for the button's label");
  });

  it("resolves replies (with or without the old quoted fallback) and shows redactions as deleted", () => {
    const m = ev("@a:x", "m.room.message", textContent("question ?"));
    const reply = ev("@b:y", "m.room.message", { ...replyContent("réponse", { eventId: m.eventId, sender: "@a:x" }), body: "> <@a:x> question ?\n\nréponse" });
    const gone = ev("@b:y", "m.room.message", {}, undefined, { redacted: true });
    const [, r, g] = messages(buildTimeline([m, reply, gone], "@b:y"));
    assert.equal(r?.body, "réponse");
    assert.deepEqual(r?.replyTo, { eventId: m.eventId, sender: "@a:x", body: "question ?" });
    assert.equal(g?.redacted, true);
    assert.equal(g?.body, "");
    assert.equal(stripReplyFallback("> a\n> b\n\nc"), "c");
  });

  it("puts day separators between days and moves thread replies to the thread", () => {
    const root = ev("@a:x", "m.room.message", textContent("racine"), day1);
    const inThread = ev("@b:y", "m.room.message", { ...textContent("dans le fil"), "m.relates_to": { rel_type: "m.thread", event_id: root.eventId, is_falling_back: true, "m.in_reply_to": { event_id: root.eventId } } }, day1 + 5);
    const next = ev("@a:x", "m.room.message", textContent("lendemain"), day2);
    const items = buildTimeline([root, inThread, next], "@a:x");
    assert.deepEqual(items.map((i) => (i.kind === "day" ? `day:${i.day}` : i.body)), ["day:2026-03-03", "racine", "day:2026-03-04", "lendemain"]);
    assert.equal(messages(items)[0]?.threadReplies, 1);
    assert.deepEqual(messages(buildThread([root, inThread, next], "@a:x", root.eventId)).map((m) => m.body), ["racine", "dans le fil"]);
    assert.equal(messages(buildThread([root, inThread], "@a:x", root.eventId))[1]?.replyTo, undefined, "a falling-back thread reply is not shown as a reply");
  });

  it("flags undecryptable events and reads encrypted file info", () => {
    const enc = ev("@a:x", "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
    const file = ev("@a:x", "m.room.message", { msgtype: "m.file", body: "cr.pdf", info: { size: 2048, mimetype: "application/pdf" }, file: { url: "mxc://x/abc", v: "v2" } });
    const [u, f] = messages(buildTimeline([enc, file], "@a:x"));
    assert.equal(u?.undecryptable, true);
    assert.deepEqual(f?.file && { name: f.file.name, size: f.file.size, url: f.file.url, enc: f.file.encrypted !== undefined }, { name: "cr.pdf", size: 2048, url: "mxc://x/abc", enc: true });
  });
});
