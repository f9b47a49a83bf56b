import { strict as assert } from "node:assert";
import { reactionLabel } from "./reaction-label.ts";
import { translator } from "./i18n/translator.ts";

describe("client reaction labels", () => {
  const names: Record<string, string> = { "@alice:x": "Alice", "@bruno:y": "Bruno" };
  const nameOf = (id: string): string => names[id] ?? id;
  it("says the key, the count and who reacted, « vous » for me, in French and English", () => {
    assert.equal(reactionLabel(translator("fr"), "fr", { key: "👍", count: 1, senders: ["@alice:x"] }, "@me:x", nameOf), "👍 : 1 réaction, de Alice");
    assert.equal(reactionLabel(translator("fr"), "fr", { key: "👍", count: 3, senders: ["@alice:x", "@bruno:y", "@me:x"] }, "@me:x", nameOf), "👍 : 3 réactions, de Alice, Bruno et vous");
    assert.equal(reactionLabel(translator("en"), "en", { key: "🎉", count: 2, senders: ["@me:x", "@alice:x"] }, "@me:x", nameOf), "🎉: 2 reactions, from you and Alice");
  });
  it("names five people at most, then how many others", () => {
    const senders = ["@a:x", "@b:x", "@c:x", "@d:x", "@e:x", "@f:x", "@g:x"];
    assert.equal(reactionLabel(translator("fr"), "fr", { key: "✅", count: 7, senders }, "@me:x", nameOf), "✅ : 7 réactions, de @a:x, @b:x, @c:x, @d:x, @e:x et 2 autres personnes");
    assert.equal(reactionLabel(translator("en"), "en", { key: "✅", count: 6, senders: senders.slice(0, 6) }, "@me:x", nameOf), "✅: 6 reactions, from @a:x, @b:x, @c:x, @d:x, @e:x, and 1 other person");
  });
});
