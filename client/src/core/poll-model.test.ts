import { strict as assert } from "node:assert";
import { foldPolls, pollEndContent, pollResponseContent, pollStartContent, POLL_END, POLL_RESPONSE, POLL_START } from "./poll-model.ts";
import type { RawEvent } from "./raw-event.ts";

let n = 0;
const ev = (sender: string, type: string, content: Record<string, unknown>, ts: number): RawEvent => ({ eventId: `$p${++n}`, sender, type, content, ts });

describe("client poll model (MSC3381 unstable types)", () => {
  it("counts each sender's latest vote until the creator closes the poll", () => {
    const start = ev("@a:x", POLL_START, pollStartContent("Date de la réunion ?", ["lundi", "mardi"]), 1);
    const evs = [start,
      ev("@b:y", POLL_RESPONSE, pollResponseContent(start.eventId, "a1"), 2),
      ev("@b:y", POLL_RESPONSE, pollResponseContent(start.eventId, "a2"), 3),
      ev("@a:x", POLL_RESPONSE, pollResponseContent(start.eventId, "a2"), 4),
      ev("@b:y", POLL_END, pollEndContent(start.eventId, "fin"), 5), // not the creator: ignored
      ev("@a:x", POLL_END, pollEndContent(start.eventId, "fin"), 6),
      ev("@c:z", POLL_RESPONSE, pollResponseContent(start.eventId, "a1"), 7)]; // after the end: ignored
    const p = foldPolls(evs, "@a:x").get(start.eventId);
    assert.deepEqual(p?.answers.map((a) => [a.text, a.votes]), [["lundi", 0], ["mardi", 2]]);
    assert.equal(p?.closed, true);
    assert.equal(p?.myAnswer, "a2");
    assert.equal(p?.voters, 2);
  });
  it("reads Element's poll start shape (question and answers as text blocks)", () => {
    const element = ev("@e:x", POLL_START, { [POLL_START]: { kind: "org.matrix.msc3381.poll.undisclosed", max_selections: 1, question: { "org.matrix.msc1767.text": "Q?" }, answers: [{ id: "x1", "org.matrix.msc1767.text": "Oui" }] }, "org.matrix.msc1767.text": "Q?\n1. Oui" }, 1);
    assert.deepEqual(foldPolls([element], "@a:x").get(element.eventId)?.answers, [{ id: "x1", text: "Oui", votes: 0 }]);
  });
});
