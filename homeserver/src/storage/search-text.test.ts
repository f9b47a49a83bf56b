import assert from "node:assert/strict";
import type { Pdu } from "../room/pdu.ts";
import { DatabaseSync } from "node:sqlite";
import { foldText, fts5Query, markedWords, markMatches, MARK_END, MARK_START, searchableText } from "./search-text.ts";

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

  it("marks the words FTS5's highlight() marks (the contentless index keeps no text to highlight)", () => {
    const texts = ["La Réunion du conseil", "RÉUNIONS budgétaires, réunion-bis", "du, Du et DU", "Ordre du jour : ÉVRY-Courcouronnes 2026", "l'œuvre à Noël 3e étage"];
    const terms = ["réunion", "reunions", "du", "Évry 2026", "d", "oeuvre noel 3e", "courc", "bis conseil"];
    const db = new DatabaseSync(":memory:");
    db.exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')");
    const ins = db.prepare("INSERT INTO f (rowid, body) VALUES (?, ?)");
    texts.forEach((t, i) => ins.run(i, t));
    const hl = db.prepare("SELECT rowid, highlight(f, 0, char(1), char(2)) AS m FROM f WHERE f MATCH ?");
    let compared = 0;
    for (const term of terms) {
      for (const r of hl.all(fts5Query(term)!) as { rowid: number; m: string }[]) {
        assert.equal(markMatches(texts[r.rowid]!, term), r.m, `${term} in ${texts[r.rowid]}`);
        compared++;
      }
    }
    db.close();
    assert.ok(compared >= 6, `${compared} hits compared`);
    assert.equal(markMatches("La Réunion", "réu"), `La ${MARK_START}Réunion${MARK_END}`);
  });
});
