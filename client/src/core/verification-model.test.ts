import { strict as assert } from "node:assert";
import { cancelReason, Phase, sasEmoji, stageOf } from "./verification-model.ts";
import { SAS_EMOJI_FR } from "./sas-emoji.ts";

describe("client emoji verification model", () => {
  it("has the spec's 64 emoji, each with a French name", () => {
    assert.equal(SAS_EMOJI_FR.size, 64);
    assert.equal(new Set(SAS_EMOJI_FR.values()).size, 64);
    assert.equal(SAS_EMOJI_FR.get("🐶"), "Chien");
    assert.equal(SAS_EMOJI_FR.get("📌"), "Punaise");
  });
  it("names the SDK's emoji in French whatever its variation selectors", () => {
    const shown = sasEmoji([["🐶", "Dog"], ["☁️", "Cloud"], ["☁", "Cloud"], ["✏️", "Pencil"], ["🧪", "Unknown"]]);
    assert.deepEqual(shown.map((e) => e.fr), ["Chien", "Nuage", "Nuage", "Crayon", "Unknown"]);
    assert.equal(shown[1]?.emoji, "☁️", "the emoji is shown as the SDK gave it");
  });
  it("turns the request's phase into stages the agent understands", () => {
    const f = { phase: Phase.Requested, initiatedByMe: false, accepting: false, hasSas: false, confirmed: false };
    assert.equal(stageOf(f), "incoming");
    assert.equal(stageOf({ ...f, accepting: true }), "waiting");
    assert.equal(stageOf({ ...f, initiatedByMe: true }), "waiting");
    assert.equal(stageOf({ ...f, phase: Phase.Ready }), "waiting");
    assert.equal(stageOf({ ...f, phase: Phase.Started, hasSas: true }), "compare");
    assert.equal(stageOf({ ...f, phase: Phase.Started, hasSas: true, confirmed: true }), "confirmed");
    assert.equal(stageOf({ ...f, phase: Phase.Done, hasSas: true, confirmed: true }), "done");
    assert.equal(stageOf({ ...f, phase: Phase.Cancelled, hasSas: true }), "cancelled");
  });
  it("explains cancellations", () => {
    assert.equal(cancelReason("m.mismatched_sas"), "mismatch");
    assert.equal(cancelReason("m.user"), "cancelled");
    assert.equal(cancelReason("m.timeout"), "timeout");
    assert.equal(cancelReason(null), "cancelled");
  });
});
