import assert from "node:assert/strict";
import { mayNameUsers, nameUsers } from "./mention-pills.ts";

const names = new Map([
  ["@bob:agglo-b", "Bob Martin"],
  ["@carol:ville-a", "Carol <admin>"],
  ["@agent1:ville-a", "agent1"],
  ["@agent1:agglo-b", "agent1"],
  ["@noname:ville-a", "@noname:ville-a"],
]);

describe("bot answers name people", () => {
  it("replaces a joined member's id by their name in the body and by a matrix.to pill in the HTML", () => {
    const t = nameUsers("⏰ @bob:agglo-b : rappel, « Budget » arrive à échéance.\nInvitation envoyée à @carol:ville-a.", names);
    assert.equal(t.body, "⏰ Bob Martin : rappel, « Budget » arrive à échéance.\nInvitation envoyée à Carol <admin>.");
    assert.equal(t.html, `⏰ <a href="https://matrix.to/#/@bob:agglo-b">Bob Martin</a> : rappel, « Budget » arrive à échéance.<br>Invitation envoyée à <a href="https://matrix.to/#/@carol:ville-a">Carol &lt;admin&gt;</a>.`);
  });
  it("leaves ids of shared names, of members without a name, of non-members and of longer ids as written", () => {
    const body = "@agent1:ville-a, @agent1:agglo-b, @noname:ville-a, @dave:ville-a, @bob:agglo-b.fr";
    assert.deepEqual(nameUsers(body, names), { body });
  });
  it("never names someone by a name that passes for another's id, or that hides or reorders text", () => {
    const spoof = new Map([["@mallory:x.fr", "@alice:x.fr"], ["@alice:x.fr", "Alice"], ["@eve:x.fr", "Eve\u202Etxt.exe"], ["@zed:x.fr", "Zed\u200B"]]);
    assert.deepEqual(nameUsers("à @mallory:x.fr, @eve:x.fr et @zed:x.fr", spoof), { body: "à @mallory:x.fr, @eve:x.fr et @zed:x.fr" });
    assert.equal(nameUsers("à @alice:x.fr", spoof).body, "à Alice");
  });
  it("tells whether a body may name someone", () => {
    assert.equal(mayNameUsers("Tâches ouvertes (2) :\n1. Budget — @bob:agglo-b"), true);
    assert.equal(mayNameUsers("Aucune tâche ouverte."), false);
    assert.equal(mayNameUsers("écrire à anne@ville-a.fr"), false);
  });
});
