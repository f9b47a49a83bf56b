import assert from "node:assert/strict";
import { shareTables, shareTranslator, type ShareMessageKey } from "./share-messages.ts";

describe("client ui: citizen sharing words", () => {
  it("has every French text in English with the same placeholders", () => {
    const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
    for (const k of Object.keys(shareTables.fr) as ShareMessageKey[]) {
      assert.ok(shareTables.en[k].length > 0, k);
      assert.deepEqual(placeholders(shareTables.en[k]), placeholders(shareTables.fr[k]), k);
    }
    assert.equal(shareTranslator("fr")("share", { name: "plan.pdf" }), "Partager plan.pdf avec un citoyen");
    assert.equal(shareTranslator("en")("revoke"), "Revoke");
  });
});
