// Counts in the views' words are proper plurals (French: 0 and 1 singular), never « tâche(s) ».
import { strict as assert } from "node:assert";
import { translator } from "../../core/i18n/translator.ts";
import { tasksTranslator } from "../tasks/tasks-messages.ts";
import { dossierTranslator } from "../dossiers/dossier-messages.ts";
import { archiveTranslator } from "../dossiers/archive-messages.ts";

describe("client ui: plurals in counted texts", () => {
  it("tasks: « Afficher n tâches de plus », form errors", () => {
    const fr = tasksTranslator("fr");
    const en = tasksTranslator("en");
    assert.equal(fr("showMore", { n: 1, total: 51 }), "Afficher 1 tâche de plus (sur 51)");
    assert.equal(fr("showMore", { n: 25, total: 75 }), "Afficher 25 tâches de plus (sur 75)");
    assert.equal(en("showMore", { n: 1, total: 51 }), "Show 1 more task (of 51)");
    assert.equal(en("showMore", { n: 25, total: 75 }), "Show 25 more tasks (of 75)");
    assert.equal(fr("formHasErrors", { count: 1 }), "Le formulaire contient 1 erreur : corrigez le champ signalé.");
    assert.equal(en("formHasErrors", { count: 2 }), "The form has 2 errors: fix the marked fields.");
  });

  it("dossiers: parts sent, files missing from an export", () => {
    assert.equal(dossierTranslator("fr")("interruptedLine", { name: "a.pdf", size: "3 Mo", done: 1, total: 4 }), "a.pdf (3 Mo) : 1 sur 4 parties envoyées");
    assert.equal(dossierTranslator("en")("interruptedLine", { name: "a.pdf", size: "3 MB", done: 0, total: 1 }), "a.pdf (3 MB): 0 of 1 part sent");
    assert.equal(archiveTranslator("fr")("exportedMissing", { missing: 1 }), "1 fichier n'a pas pu être lu : il est listé dans le manifeste.");
    assert.equal(archiveTranslator("en")("exportedMissing", { missing: 3 }), "3 files could not be read: they are listed in the manifest.");
  });

  it("polls and devices", () => {
    assert.equal(translator("fr")("pollClosedFinal", { count: 1 }), "Sondage clos : résultats définitifs (1 votant).");
    assert.equal(translator("en")("pollClosedFinal", { count: 0 }), "Poll closed: final results (0 voters).");
    assert.equal(translator("fr")("unverifiedDevices", { count: 3 }), "3 appareils non vérifiés");
  });
});
