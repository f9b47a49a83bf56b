import assert from "node:assert/strict";
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import { dossierTranslator } from "./dossier-messages.ts";
import { holdsSaid, savedName, uploadSaid } from "./transfer-said.ts";

const version = (eventId: string, name: string): FileVersion => ({
  eventId, name, msgtype: "m.file", mimetype: "application/pdf", size: 611, sender: "@a:ville-a.test", ts: 1, file: undefined, url: undefined, parts: false, thumbnail: undefined,
});
const entry = (name: string, versions: FileVersion[], kind: "file" | "folder" = "file"): DossierEntry => ({
  id: `$${name}`, kind, name, parent: undefined, deleted: false, versions, creator: "@a:ville-a.test", createdAt: 1, updatedAt: 1, size: versions.at(-1)?.size,
});

describe("client ui: names and words around a dossier transfer", () => {
  const fr = dossierTranslator("fr");
  const en = dossierTranslator("en");

  it("saves an old version under its own name, the latest under the entry's", () => {
    const v1 = version("$v1", "convention-v1.pdf");
    const v2 = version("$v2", "convention-v2.pdf");
    const e = entry("convention.pdf", [v1, v2]);
    assert.equal(savedName(e, v1), "convention-v1.pdf");
    assert.equal(savedName(e, v2), "convention.pdf");
    // Two versions sent under the same name: that name, nothing added.
    const same = entry("plan.png", [version("$p1", "plan.png"), version("$p2", "plan.png")]);
    assert.equal(savedName(same, same.versions[0]!), "plan.png");
  });

  it("says a new version is one of the entry, not the uploaded file's name", () => {
    assert.equal(uploadSaid(fr, "convention-v2.pdf", "convention.pdf"), "Nouvelle version de convention.pdf envoyée.");
    assert.equal(uploadSaid(en, "convention-v2.pdf", "convention.pdf"), "New version of convention.pdf uploaded.");
    assert.equal(uploadSaid(fr, "plan.png", undefined), "plan.png envoyé.");
  });

  it("says how to begin in a dossier with no file, with the largest file accepted", () => {
    const folderOnly = [entry("Études", [], "folder")];
    assert.equal(holdsSaid(fr, folderOnly, "0 o", "50 Mo"), "Aucun fichier pour l'instant : ajoutez-en avec « Ajouter des fichiers » ou glissez-les ici (jusqu'à 50 Mo par fichier).");
    assert.equal(holdsSaid(en, [], "0 B", undefined), "No files yet: add some with “Add files” or drop them here.");
    assert.equal(holdsSaid(fr, [entry("a.pdf", [version("$a", "a.pdf")])], "611 o", undefined), "611 o stockés dans ce dossier (toutes versions)");
  });
});
