// Every French text has an English one (the tables are typed, but a spread table or an empty
// string would still compile): same keys, non-empty, and no French sentence copied as English.
import { strict as assert } from "node:assert";
import { messagesEn } from "./messages-en.ts";
import { messagesFr } from "./messages-fr.ts";

describe("client English texts", () => {
  it("has a non-empty English text for every French key, none left in French", () => {
    const en = messagesEn as Record<string, string>;
    const missing = Object.keys(messagesFr).filter((k) => typeof en[k] !== "string" || en[k].trim() === "");
    assert.deepEqual(missing, []);
    // A sentence with French-only letters or words, identical in English, was not translated.
    const french = /[éèêàùçœ]|\b(le|la|les|des|du|une|est|vous|votre|pas)\b/i;
    const copied = Object.entries(messagesFr).filter(([k, fr]) => en[k] === fr && french.test(fr)).map(([k]) => k);
    assert.deepEqual(copied, []);
  });
});
