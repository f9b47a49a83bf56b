import { strict as assert } from "node:assert";
import { insertMention, looksLikeUserId, mentionedUserIds, mentionQueryAt, rankMentionCandidates, withPlainMentions } from "./mentions.ts";
import { replyContent, textContent } from "./message-content.ts";

describe("client @-mentions", () => {
  it("finds the @term being typed before the caret", () => {
    assert.deepEqual(mentionQueryAt("Bonjour @bo", 11), { start: 8, query: "bo" });
    assert.deepEqual(mentionQueryAt("@", 1), { start: 0, query: "" });
    assert.deepEqual(mentionQueryAt("voir @bob:agglo-b.test", 22), { start: 5, query: "bob:agglo-b.test" });
    assert.equal(mentionQueryAt("mail a@b.fr", 11), undefined, "an @ inside a word is no mention");
    assert.equal(mentionQueryAt("@bob et", 7), undefined, "the caret is past the term");
  });
  it("inserts a matrix.to link and lists the mentioned ids for m.mentions", () => {
    const r = insertMention("Bonjour @bo et", 8, 11, { userId: "@bob:agglo-b.test", name: "Bob [B]" });
    assert.equal(r.text, "Bonjour [Bob \\[B\\]](https://matrix.to/#/@bob:agglo-b.test)  et");
    assert.equal(r.text.slice(r.caret), " et");
    assert.deepEqual(mentionedUserIds(`${r.text} [x](https://matrix.to/#/@bob:agglo-b.test)`), ["@bob:agglo-b.test"]);
    assert.equal(withPlainMentions(r.text), "Bonjour Bob [B]  et");
  });
  it("puts mentions in the event: m.mentions, a plain body, the link in formatted_body", () => {
    const c = textContent("Merci [Bob](https://matrix.to/#/@bob:b.test) !");
    assert.deepEqual(c["m.mentions"], { user_ids: ["@bob:b.test"] });
    assert.equal(c["body"], "Merci Bob !");
    assert.match(String(c["formatted_body"]), /<a href="https:\/\/matrix\.to\/#\/@bob:b\.test">Bob<\/a>/);
    assert.equal(textContent("rien")["m.mentions"], undefined);
    const reply = replyContent("cc [Carol](https://matrix.to/#/@carol:c.test)", { eventId: "$e", sender: "@bob:b.test" });
    assert.deepEqual(reply["m.mentions"], { user_ids: ["@bob:b.test", "@carol:c.test"] });
  });
  it("ranks candidates from several sources, each person once, without me", () => {
    const directory = [{ userId: "@robert:a", name: "Robert" }, { userId: "@me:a", name: "Moi" }];
    const met = [{ userId: "@bob:b", name: "Bob (B)" }, { userId: "@robert:a", name: "dup" }, { userId: "@alice:b", name: "Alice Robin" }];
    assert.deepEqual(rankMentionCandidates("ro", [directory, met], "@me:a").map((c) => c.userId), ["@robert:a", "@alice:b"]);
    assert.deepEqual(rankMentionCandidates("b", [directory, met], "@me:a").map((c) => c.name), ["Bob (B)", "Robert", "Alice Robin"]);
    assert.equal(rankMentionCandidates("", [directory, met], "@me:a", 2).length, 2);
    assert.equal(looksLikeUserId("@bob:agglo-b.test"), true);
    assert.equal(looksLikeUserId("@bob"), false);
  });
});
