import assert from "node:assert/strict";
import { placeholderNames } from "../../core/i18n/plural-format.ts";
import { dossierTables, dossierTranslator, type DossierMessageKey } from "./dossier-messages.ts";
import { messagesEn } from "../../core/i18n/messages-en.ts";
import { messagesFr } from "../../core/i18n/messages-fr.ts";
import { DOSSIERS_HASH, dossierHash, dossiersRouteFromHash } from "./dossiers-route.ts";

describe("client ui: dossier views' words and links", () => {
  it("has every French text in English with the same placeholders", () => {
    const placeholders = placeholderNames;
    for (const k of Object.keys(dossierTables.fr) as DossierMessageKey[]) {
      assert.ok(dossierTables.en[k].length > 0, k);
      assert.deepEqual(placeholders(dossierTables.en[k]), placeholders(dossierTables.fr[k]), k);
    }
    assert.equal(dossierTranslator("fr")("empty"), "Ce dossier est vide — déposez des fichiers ici");
    assert.equal(dossierTranslator("en")("download", { name: "plan.pdf" }), "Download plan.pdf");
  });

  it("says, with no working group, how to get one, naming the room list's button as it reads", () => {
    assert.ok(dossierTranslator("fr")("noSpaces").includes(`« ${messagesFr.createSpace} »`));
    assert.ok(dossierTranslator("en")("noSpaces").includes(`“${messagesEn.createSpace}”`));
  });

  it("reads and writes its links", () => {
    assert.deepEqual(dossiersRouteFromHash(DOSSIERS_HASH), { kind: "list" });
    assert.deepEqual(dossiersRouteFromHash(dossierHash("!abc:ville-a.fr")), { kind: "dossier", roomId: "!abc:ville-a.fr" });
    assert.equal(dossiersRouteFromHash("#/dossier/%E0%A4%A"), undefined);
    assert.equal(dossiersRouteFromHash("#/room/!x"), undefined);
  });
});
