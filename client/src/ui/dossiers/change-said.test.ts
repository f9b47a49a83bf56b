import assert from "node:assert/strict";
import { changeSaid } from "./change-said.ts";
import { dossierTranslator } from "./dossier-messages.ts";

describe("client ui: what the dossier view says after a change", () => {
  const paths: Record<string, string> = { $etudes: "Études", $mob: "Études/Mobilité" };
  const folderName = (id: string | undefined): string => (id === undefined ? "" : paths[id] ?? "");
  const fr = dossierTranslator("fr");
  const en = dossierTranslator("en");

  it("names the entry and where it went, in French and English", () => {
    assert.equal(changeSaid(fr, "plan.png", { deleted: true }, folderName, undefined), "« plan.png » est dans la corbeille : cochez « Corbeille (éléments supprimés) » pour le restaurer.");
    assert.equal(changeSaid(fr, "plan.png", { deleted: false }, folderName, "$mob"), "« plan.png » est restauré dans Études/Mobilité.");
    assert.equal(changeSaid(fr, "plan.png", { deleted: false }, folderName, undefined), "« plan.png » est restauré dans Racine du dossier.");
    assert.equal(changeSaid(fr, "v1.pdf", { name: "convention.pdf" }, folderName, undefined), "« v1.pdf » est renommé « convention.pdf ».");
    assert.equal(changeSaid(fr, "etude.ods", { parent: "$etudes" }, folderName, undefined), "« etude.ods » est déplacé dans Études.");
    assert.equal(changeSaid(fr, "etude.ods", { parent: null }, folderName, "$etudes"), "« etude.ods » est déplacé dans Racine du dossier.");
    assert.equal(changeSaid(en, "plan.png", { deleted: true }, folderName, undefined), "“plan.png” is in the bin: tick “Bin (deleted items)” to restore it.");
    assert.equal(changeSaid(en, "etude.ods", { parent: "$etudes" }, folderName, undefined), "“etude.ods” is moved to Études.");
  });

  it("names the bin's checkbox as it reads", () => {
    assert.ok(fr("said_deleted", { name: "x" }).includes(`« ${fr("showDeleted")} »`));
    assert.ok(en("said_deleted", { name: "x" }).includes(`“${en("showDeleted")}”`));
  });

  it("says nothing for a new version (the upload says it)", () => {
    assert.equal(changeSaid(fr, "x.pdf", { addVersion: "$v2" }, folderName, undefined), undefined);
  });
});
