import { strict as assert } from "node:assert";
import { dayLabel, pickLocale, translator } from "./translator.ts";
import { placeholderNames } from "./plural-format.ts";
import { messagesEn } from "./messages-en.ts";
import { messagesFr } from "./messages-fr.ts";

describe("client i18n", () => {
  it("translates with parameters in both languages", () => {
    assert.equal(translator("fr")("unread", { count: 3 }), "3 non lus");
    assert.equal(translator("en")("unread", { count: 3 }), "3 unread");
  });
  it("has the same keys and placeholders in French and English", () => {
    assert.deepEqual(Object.keys(messagesEn).sort(), Object.keys(messagesFr).sort());
    const holes = placeholderNames;
    for (const [k, fr] of Object.entries(messagesFr)) assert.deepEqual(holes(messagesEn[k as keyof typeof messagesEn]), holes(fr), k);
  });
  it("starts in French unless saved or the browser prefers English", () => {
    assert.equal(pickLocale(null, ["de-DE"]), "fr");
    assert.equal(pickLocale(null, ["en-US", "fr"]), "en");
    assert.equal(pickLocale("fr", ["en-US"]), "fr");
  });
  it("labels today and yesterday separators", () => {
    const t = translator("fr");
    const now = new Date(2026, 5, 10, 9);
    assert.equal(dayLabel(t, "fr", new Date(2026, 5, 10, 1), now), "Aujourd'hui");
    assert.equal(dayLabel(t, "fr", new Date(2026, 5, 9, 23), now), "Hier");
    assert.match(dayLabel(t, "fr", new Date(2026, 5, 1), now), /juin 2026/);
  });
});
