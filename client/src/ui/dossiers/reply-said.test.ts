import assert from "node:assert/strict";
import type { DossierEntry, DossierSnapshot } from "../../core/dossiers/dossier-model.ts";
import { replyPlace } from "../../core/dossiers/reply-place.ts";
import { replyAddedSaid } from "./reply-said.ts";
import { shareTranslator } from "./share-messages.ts";

const entry = (id: string, name: string, kind: "file" | "folder", parent?: string, deleted = false): DossierEntry => ({
  id, kind, name, parent, deleted, versions: [], creator: "@a:ville-a.test", createdAt: 1, updatedAt: 1, size: undefined,
});
const snapshot = (...entries: DossierEntry[]): DossierSnapshot => ({ entries: new Map(entries.map((e) => [e.id, e])), maxClock: 0, skipped: 0 });

describe("client ui: where a citizen's reply goes and what the dialog says", () => {
  const fr = shareTranslator("fr");
  const en = shareTranslator("en");
  const etudes = entry("$etudes", "Études", "folder");
  const mob = entry("$mob", "Mobilité", "folder", "$etudes");

  it("goes beside the shared file, in its folder as it is now, and says so", () => {
    const place = replyPlace(snapshot(etudes, mob, entry("$conv", "convention.pdf", "file", "$mob")), "$conv");
    assert.deepEqual(place, { parent: "$mob", path: "Études/Mobilité", beside: "convention.pdf" });
    assert.equal(replyAddedSaid(fr, "justificatif.pdf", place), "« justificatif.pdf » déchiffré et ajouté dans Études/Mobilité, à côté de « convention.pdf ».");
    assert.equal(replyAddedSaid(en, "justificatif.pdf", place), "“justificatif.pdf” decrypted and added in Études/Mobilité, next to “convention.pdf”.");
  });

  it("a file at the root: the root, named as such", () => {
    const place = replyPlace(snapshot(entry("$conv", "convention.pdf", "file")), "$conv");
    assert.deepEqual(place, { parent: undefined, path: "", beside: "convention.pdf" });
    assert.equal(replyAddedSaid(fr, "justificatif.pdf", place), "« justificatif.pdf » déchiffré et ajouté à la racine du dossier, à côté de « convention.pdf ».");
  });

  it("the shared file or its folder in the bin, or gone: the root, and says the file is not there", () => {
    const binned = replyPlace(snapshot({ ...etudes, deleted: true }, entry("$conv", "convention.pdf", "file", "$etudes")), "$conv");
    assert.deepEqual(binned, { parent: undefined, path: "", beside: undefined });
    assert.deepEqual(replyPlace(snapshot(), "$conv"), binned);
    assert.equal(replyAddedSaid(fr, "justificatif.pdf", binned), "« justificatif.pdf » déchiffré et ajouté à la racine du dossier (le fichier partagé n'y est plus).");
    assert.equal(replyAddedSaid(en, "justificatif.pdf", binned), "“justificatif.pdf” decrypted and added at the top of the dossier (the shared file is no longer there).");
  });
});
