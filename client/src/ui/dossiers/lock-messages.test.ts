import assert from "node:assert/strict";
import { placeholderNames } from "../../core/i18n/plural-format.ts";
import { lockTables, lockTranslator, untilText, type LockMessageKey } from "./lock-messages.ts";

describe("client ui: dossier lock words", () => {
  it("has every French text in English with the same placeholders", () => {
    const placeholders = placeholderNames;
    for (const k of Object.keys(lockTables.fr) as LockMessageKey[]) {
      assert.ok(lockTables.en[k].length > 0, k);
      assert.deepEqual(placeholders(lockTables.en[k]), placeholders(lockTables.fr[k]), k);
    }
    assert.equal(lockTranslator("fr")("lockedBy", { who: "alice", until: "15:30" }), "En cours de modification par alice jusqu'à 15:30");
    assert.equal(lockTranslator("en")("lockedBy", { who: "alice", until: "15:30" }), "Being edited by alice until 15:30");
  });

  it("names each control with its visible text first (WCAG 2.5.3: the label contains what is shown)", () => {
    const pairs = [["takeLock", "short_takeLock"], ["takeLock", "short_confirmLock"], ["release", "short_release"], ["releaseAfterVersion", "short_release"], ["keepLock", "short_keepLock"], ["cancelLock", "cancel"]] as const;
    for (const locale of ["fr", "en"] as const) {
      const tr = lockTranslator(locale);
      for (const [label, text] of pairs) assert.ok(tr(label, { name: "plan.pdf" }).toLowerCase().includes(tr(text).toLowerCase()), `${locale} ${label}`);
    }
  });

  it("names the offer's « Libérer » apart from the row's, both shown at once (RGAA: distinct names)", () => {
    for (const locale of ["fr", "en"] as const) {
      const tr = lockTranslator(locale);
      assert.notEqual(tr("releaseAfterVersion", { name: "plan.pdf" }), tr("release", { name: "plan.pdf" }), locale);
    }
  });

  it("says a lock's end: the time today, « demain » tomorrow, else the date", () => {
    const now = Date.UTC(2026, 11, 7, 13, 0); // 14:00 in Paris
    assert.equal(untilText(Date.UTC(2026, 11, 7, 14, 30), now, "fr", "Europe/Paris"), "15:30");
    assert.equal(untilText(Date.UTC(2026, 11, 8, 13, 0), now, "fr", "Europe/Paris"), "demain 14:00");
    assert.equal(untilText(Date.UTC(2026, 11, 8, 13, 0), now, "en", "Europe/Paris"), "tomorrow 14:00");
    assert.equal(untilText(Date.UTC(2026, 11, 10, 13, 0), now, "fr", "Europe/Paris"), "10/12/2026 14:00");
  });
});
