import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { widgetMessagesEn } from "./widget-messages-en.ts";
import { widgetMessagesFr } from "./widget-messages-fr.ts";
import { translator } from "./translator.ts";
import { labelCapability } from "../widgets/capability-labels.ts";

const holes = (s: string): string[] => (s.match(/\{\w+\}/g) ?? []).sort();

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
    assert.equal(labelCapability("org.matrix.msc2762.receive.event:m.room.message#m.text", en).label, "Read messages of type \u201cm.text\u201d in this room");
    assert.equal(labelCapability("org.matrix.msc2762.send.state_event:fr.entente.tasks", en).label, "Change the \u201cfr.entente.tasks\u201d state of this room");
    assert.equal(labelCapability("x.y", en).label, "Unknown capability: x.y");
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
