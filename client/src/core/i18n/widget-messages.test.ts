import { strict as assert } from "node:assert";
import { placeholderNames } from "./plural-format.ts";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { widgetMessagesEn } from "./widget-messages-en.ts";
import { widgetMessagesFr } from "./widget-messages-fr.ts";
import { translator } from "./translator.ts";
import { labelCapability } from "../widgets/capability-labels.ts";
import { TASK_BOARD_CAPABILITIES } from "../../../../widgets/tasks/src/capabilities.ts";
import { CALENDAR_CAPABILITIES } from "../../../../widgets/calendar/src/calendar-source.ts";

const holes = placeholderNames;

describe("client i18n: widget strings", () => {
  it("has an English string for every French widget key, with the same placeholders", () => {
    for (const [key, fr] of Object.entries(widgetMessagesFr)) {
      const en = (widgetMessagesEn as Record<string, string | undefined>)[key];
      assert.equal(typeof en, "string", `missing English for ${key}`);
      assert.notEqual(en?.trim(), "", key);
      assert.deepEqual(holes(en ?? ""), holes(fr), key);
    }
    assert.deepEqual(Object.keys(widgetMessagesEn).sort(), Object.keys(widgetMessagesFr).sort(), "no English key without a French one");
  });

  it("is reachable through the client's translator in both languages", () => {
    assert.equal(translator("fr")("widgetsButton", { count: 2 }), "Widgets (2)");
    assert.equal(translator("en")("consentTitle", { name: "Pad" }), "Allow \u201cPad\u201d?");
    assert.equal(translator("fr")("consentTitle", { name: "Pad" }), "Autoriser « Pad » ?");
  });

  it("labels capabilities in English when asked", () => {
    const en = translator("en");
    assert.equal(labelCapability("m.always_on_screen", en).label, "Stay visible, small, when you change rooms");
    assert.equal(labelCapability("org.matrix.msc2762.send.event:fr.entente.note", en).label, "Send \u201cfr.entente.note\u201d events in this room");
    assert.equal(labelCapability("org.matrix.msc2762.receive.event:m.room.message#m.location", en).label, "Read messages of type \u201cm.location\u201d in this room");
    assert.equal(labelCapability("org.matrix.msc2762.send.state_event:fr.entente.tasks", en).label, "Change the \u201cfr.entente.tasks\u201d state of this room");
    assert.equal(labelCapability("x.y", en).label, "Unknown capability: x.y");
  });

  it("describes our widgets' capabilities in plain words, the raw identifier only in the detail line", () => {
    for (const locale of ["fr", "en"] as const) {
      const t = translator(locale);
      for (const c of [...TASK_BOARD_CAPABILITIES, ...CALENDAR_CAPABILITIES]) {
        const l = labelCapability(c, t);
        assert.doesNotMatch(l.label, /fr\.entente|m\.room|im\.vector|m\.text|m\.notice|msc2762| \/ /, `${locale}: ${c} -> ${l.label}`);
        assert.ok(l.detail.endsWith(c), l.detail);
      }
    }
    const fr = translator("fr");
    assert.equal(labelCapability("org.matrix.msc2762.receive.state_event:fr.entente.tasks#", fr).label, "Lire la configuration de la liste des tâches du salon");
    assert.equal(labelCapability("org.matrix.msc2762.send.event:fr.entente.task.update", translator("en")).label, "Change the room's tasks (status, assignee, due date…)");
    assert.equal(labelCapability("org.matrix.msc2762.send.event:m.room.message#m.text", fr).label, "Envoyer des messages en votre nom dans ce salon");
    assert.equal(labelCapability("org.matrix.msc2762.receive.state_event:fr.entente.tasks#", fr).detail, "Identifiant technique : org.matrix.msc2762.receive.state_event:fr.entente.tasks#");
    // Unknown types: described generically, type shown, no dangling " / " for the room-wide state key.
    assert.equal(labelCapability("org.matrix.msc2762.receive.state_event:org.example.thing#", fr).label, "Lire l'état « org.example.thing » de ce salon");
    assert.equal(labelCapability("org.matrix.msc2762.send.event:org.example.note", translator("en")).label, "Send \u201corg.example.note\u201d events in this room");
  });

  it("leaves no French sentence hard-coded in the widget views (they all go through t())", () => {
    const dir = join(import.meta.dirname, "../../ui/widgets");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const code = readFileSync(join(dir, file), "utf8").split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join("\n");
      // Text between tags (`>Texte<`) or in quoted attribute text with French accents or « ».
      const french = code.match(/>[^<>${}]*[éèêàùçÉ«»][^<>${}]*</g) ?? [];
      assert.deepEqual(french, [], file);
    }
  });
});
