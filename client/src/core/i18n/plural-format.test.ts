import { strict as assert } from "node:assert";
import { formatMessage, placeholderNames } from "./plural-format.ts";
import { translator } from "./translator.ts";

describe("client i18n: plurals", () => {
  const tasks = "Afficher {n, plural, one {# tâche} other {# tâches}} de plus (sur {total})";
  it("picks the branch by the language's rules: French 0 and 1 singular, English only 1", () => {
    assert.equal(formatMessage(tasks, { n: 1, total: 30 }, "fr"), "Afficher 1 tâche de plus (sur 30)");
    assert.equal(formatMessage(tasks, { n: 0, total: 30 }, "fr"), "Afficher 0 tâche de plus (sur 30)");
    assert.equal(formatMessage(tasks, { n: 25, total: 30 }, "fr"), "Afficher 25 tâches de plus (sur 30)");
    const en = "Show {n, plural, one {# more task} other {# more tasks}}";
    assert.equal(formatMessage(en, { n: 1 }, "en"), "Show 1 more task");
    assert.equal(formatMessage(en, { n: 0 }, "en"), "Show 0 more tasks");
  });
  it("prefers an exact =N branch, keeps other placeholders inside branches, leaves unknown names", () => {
    const m = "{count, plural, =0 {aucun fichier} one {# fichier de {who}} other {# fichiers de {who}}} {x}";
    assert.equal(formatMessage(m, { count: 0, who: "Anne" }, "fr"), "aucun fichier {x}");
    assert.equal(formatMessage(m, { count: 3, who: "Anne" }, "fr"), "3 fichiers de Anne {x}");
    assert.equal(formatMessage("{n, plural, one {# a} other {# b}}", {}, "fr"), "{n, plural, one {# a} other {# b}}");
    assert.equal(formatMessage("sans paramètres {n}", undefined, "fr"), "sans paramètres {n}");
  });
  it("names a message's parameters, plural blocks' counted names included, for French/English parity checks", () => {
    assert.deepEqual(placeholderNames("{count, plural, one {# appareil de {who}} other {# appareils de {who}}} sur {total}"), ["count", "total", "who"]);
    assert.notDeepEqual(placeholderNames("{count, plural, one {# a} other {# b}}"), placeholderNames("{n, plural, one {# a} other {# b}}"));
    assert.deepEqual(placeholderNames("sans paramètre"), []);
  });
  it("counts unverified devices with a plural block in both languages", () => {
    for (const locale of ["fr", "en"] as const) {
      const t = translator(locale);
      assert.equal(t("unverifiedDevices", { count: 1 }), locale === "fr" ? "1 appareil non vérifié" : "1 unverified device");
      assert.equal(t("unverifiedDevices", { count: 2 }), locale === "fr" ? "2 appareils non vérifiés" : "2 unverified devices");
    }
  });
});
