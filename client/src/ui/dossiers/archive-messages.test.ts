import assert from "node:assert/strict";
import { placeholderNames } from "../../core/i18n/plural-format.ts";
import { archiveTables, archiveTranslator, type ArchiveMessageKey } from "./archive-messages.ts";
import { archiveFileName } from "../../core/dossiers/archive-export.ts";

describe("client ui: archive export and members panel words", () => {
  it("has every French text in English with the same placeholders", () => {
    const placeholders = placeholderNames;
    for (const k of Object.keys(archiveTables.fr) as ArchiveMessageKey[]) {
      assert.ok(archiveTables.en[k].length > 0, k);
      assert.deepEqual(placeholders(archiveTables.en[k]), placeholders(archiveTables.fr[k]), k);
    }
    assert.equal(archiveTranslator("fr")("keepsOldFiles"), "Les fichiers déposés avant son départ restent lisibles par cette personne.");
  });

  it("names the archive after the dossier and the day, in ASCII", () => {
    const day = new Date("2027-03-04T10:00:00Z");
    assert.equal(archiveFileName("Étude mobilité 2026", day), "etude-mobilite-2026-2027-03-04.tar.gpg");
    assert.equal(archiveFileName("«»/..", day), "salon-2027-03-04.tar.gpg");
  });
});
