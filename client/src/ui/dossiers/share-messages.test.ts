import assert from "node:assert/strict";
import { placeholderNames } from "../../core/i18n/plural-format.ts";
import { shareTables, shareTranslator, type ShareMessageKey } from "./share-messages.ts";

describe("client ui: citizen sharing words", () => {
  it("has every French text in English with the same placeholders", () => {
    const placeholders = placeholderNames;
    for (const k of Object.keys(shareTables.fr) as ShareMessageKey[]) {
      assert.ok(shareTables.en[k].length > 0, k);
      assert.deepEqual(placeholders(shareTables.en[k]), placeholders(shareTables.fr[k]), k);
    }
    assert.equal(shareTranslator("fr")("share", { name: "plan.pdf" }), "Partager plan.pdf avec un citoyen");
    assert.equal(shareTranslator("en")("revoke"), "Revoke");
  });
});
