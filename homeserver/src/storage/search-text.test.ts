import assert from "node:assert/strict";
import type { Pdu } from "../room/pdu.ts";
import { foldText, fts5Query, markedWords, MARK_END, MARK_START, searchableText } from "./search-text.ts";

const pdu = (type: string, content: Record<string, unknown>): Pdu => ({ type, content, sender: "@a:x", room_id: "!r:x" } as unknown as Pdu);

describe("search text", () => {
  it("indexes message bodies, room names and topics, never encrypted events", () => {
    assert.deepEqual(searchableText(pdu("m.room.message", { msgtype: "m.text", body: "Réunion" })), { key: "content.body", text: "Réunion" });
    assert.deepEqual(searchableText(pdu("m.room.name", { name: "Voirie" })), { key: "content.name", text: "Voirie" });
    assert.deepEqual(searchableText(pdu("m.room.topic", { topic: "Travaux" })), { key: "content.topic", text: "Travaux" });
    assert.equal(searchableText(pdu("m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x", body: "leak" })), undefined);
    assert.equal(searchableText(pdu("m.room.message", { body: 12 })), undefined);
    assert.equal(searchableText(pdu("m.room.message", { body: "   " })), undefined);
  });

  it("folds accents and keeps a map back to the original (also for decomposed input)", () => {
    const f = foldText("Réunion à Évry");
    assert.equal(f.folded, "Reunion a Evry");
    const nfd = "Re\u0301union";
    const g = foldText(nfd);
    assert.equal(g.folded, "Reunion");
    assert.equal(g.origin[2], 3, "the 'u' comes from index 3 of the decomposed original");
    assert.equal(foldText(`a${MARK_START}b${MARK_END}`).folded, "a b ", "control characters (our markers) become spaces");
  });

  it("quotes every word of a term for FTS5, prefix-matching words of 3+ letters", () => {
    assert.equal(fts5Query("réunion du conseil"), '"réunion"* "du" "conseil"*');
    assert.equal(fts5Query('budget" OR NEAR(x'), '"budget"* "OR" "NEAR"* "x"');
    assert.equal(fts5Query("  ?! "), undefined);
  });

  it("names marked words as written, from the original or its folded form", () => {
    assert.deepEqual(markedWords(`La ${MARK_START}Réunion${MARK_END} du`, "La Réunion du"), ["Réunion"]);
    assert.deepEqual(markedWords(`La ${MARK_START}Reunions${MARK_END} et ${MARK_START}reunion${MARK_END}`, "La Réunions et réunion"), ["Réunions", "réunion"]);
  });
});
