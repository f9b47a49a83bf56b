import { strict as assert } from "node:assert";
import { canClosePoll, foldPolls, leadingAnswers, pollEndContent, pollResponseContent, pollStartContent, POLL_END, POLL_RESPONSE, POLL_START } from "./poll-model.ts";
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
  it("accepts the end from a moderator (may redact others' messages), the first valid end counting", () => {
    const start = ev("@a:x", POLL_START, pollStartContent("Lieu ?", ["mairie", "salle des fêtes"]), 10);
    const moderators = (u: string): boolean => u === "@m:y";
    const evs = [start,
      ev("@b:y", POLL_RESPONSE, pollResponseContent(start.eventId, "a2"), 11),
      ev("@x:y", POLL_END, pollEndContent(start.eventId, "fin"), 12), // neither creator nor moderator
      ev("@c:z", POLL_RESPONSE, pollResponseContent(start.eventId, "a1"), 13),
      ev("@m:y", POLL_END, pollEndContent(start.eventId, "fin"), 15),
      ev("@a:x", POLL_END, pollEndContent(start.eventId, "fin"), 14), // earlier by timestamp: this one counts
      ev("@d:z", POLL_RESPONSE, pollResponseContent(start.eventId, "a1"), 14.5)];
    const p = foldPolls(evs, "@b:y", moderators).get(start.eventId);
    assert.equal(p?.closed, true);
    assert.deepEqual(p?.answers.map((a) => a.votes), [1, 1], "votes up to the first valid end (ts 14) count, later ones do not");
    assert.equal(p?.creator, "@a:x");
    const onlyModerator = foldPolls([start, evs[1] as RawEvent, ev("@m:y", POLL_END, pollEndContent(start.eventId, "fin"), 20)], "@b:y").get(start.eventId);
    assert.equal(onlyModerator?.closed, false, "without the power-level rule a moderator's end is ignored");
    assert.equal(foldPolls([start, ev("@m:y", POLL_END, pollEndContent(start.eventId, "fin"), 20)], "@b:y", moderators).get(start.eventId)?.closed, true);
  });
  it("decides who may close and what the closing text announces", () => {
    const start = ev("@a:x", POLL_START, pollStartContent("Q ?", ["oui", "non", "peut-être"]), 1);
    const open = foldPolls([start], "@a:x").get(start.eventId);
    assert.ok(open !== undefined);
    assert.equal(canClosePoll(open, "@a:x", () => false), true, "the creator");
    assert.equal(canClosePoll(open, "@b:y", () => false), false, "another member");
    assert.equal(canClosePoll(open, "@b:y", (u) => u === "@b:y"), true, "a moderator");
    assert.equal(canClosePoll({ ...open, closed: true }, "@a:x", () => true), false, "already closed");
    assert.equal(open.closableByMe, true);
    assert.equal(foldPolls([start], "@b:y", (u) => u === "@b:y").get(start.eventId)?.closableByMe, true);
    assert.equal(foldPolls([start], "@b:y").get(start.eventId)?.closableByMe, false);
    assert.deepEqual(leadingAnswers(open), [], "no votes");
    const voted = foldPolls([start, ev("@b:y", POLL_RESPONSE, pollResponseContent(start.eventId, "a2"), 2), ev("@c:y", POLL_RESPONSE, pollResponseContent(start.eventId, "a3"), 3)], "@a:x").get(start.eventId);
    assert.deepEqual(voted !== undefined ? leadingAnswers(voted) : undefined, ["non", "peut-être"]);
  });
  it("sends the end as Element does: reference, empty poll.end block, text block and body fallback", () => {
    assert.deepEqual(pollEndContent("$poll", "Le sondage est clos."), {
      "m.relates_to": { rel_type: "m.reference", event_id: "$poll" },
      [POLL_END]: {},
      "org.matrix.msc1767.text": "Le sondage est clos.",
      body: "Le sondage est clos.",
      msgtype: "m.text",
    });
  });
});
