import { strict as assert } from "node:assert";
import { MAX_AGE_MS, noticeText, notifyVerdict, shouldNotify, type NotifyFacts } from "./notify-model.ts";

const base: NotifyFacts = { sender: "@alice:a", me: "@bob:b", isDirect: false, notify: true, highlight: false, undecryptable: false, roomOnScreen: false, ageMs: 1000 };

describe("client browser notification rules", () => {
  it("notifies mentions (highlight from the push rules) and direct messages", () => {
    assert.equal(shouldNotify({ ...base, highlight: true }), true, "a mention in a group room");
    assert.equal(shouldNotify({ ...base, isDirect: true }), true, "a direct message");
    assert.equal(shouldNotify(base), false, "an ordinary message of a group room");
  });
  it("stays quiet for own messages, failed decryption, what is on screen, old news and muted rooms", () => {
    assert.equal(shouldNotify({ ...base, highlight: true, sender: "@bob:b" }), false);
    assert.equal(shouldNotify({ ...base, isDirect: true, undecryptable: true }), false);
    assert.equal(shouldNotify({ ...base, highlight: true, roomOnScreen: true }), false);
    assert.equal(shouldNotify({ ...base, highlight: true, ageMs: 10 * 60_000 }), false);
    assert.equal(shouldNotify({ ...base, isDirect: true, notify: false }), false, "push rule dont_notify (muted DM)");
  });
  it("waits for the key of a recent encrypted message of someone else instead of dropping it", () => {
    assert.equal(notifyVerdict({ ...base, undecryptable: true }), "await-key", "push actions unknown until decrypted");
    assert.equal(notifyVerdict({ ...base, undecryptable: true, roomOnScreen: true }), "await-key", "the screen may change before the key comes");
    assert.equal(notifyVerdict({ ...base, undecryptable: true, sender: "@bob:b" }), "skip", "own message");
    assert.equal(notifyVerdict({ ...base, undecryptable: true, ageMs: MAX_AGE_MS + 1 }), "skip", "old news");
    assert.equal(notifyVerdict({ ...base, highlight: true }), "notify");
    assert.equal(notifyVerdict(base), "skip");
  });
  it("titles with the room and says who wrote what, shortly", () => {
    const words = { image: "image", file: "fichier" };
    assert.deepEqual(noticeText("Voirie", "Alice", { msgtype: "m.text", body: "Bonjour\n  Bob" }, words), { title: "Voirie", body: "Alice : Bonjour Bob" });
    assert.equal(noticeText("Voirie", "Alice", { msgtype: "m.image", body: "plan.png" }, words).body, "Alice : image");
    const long = noticeText("R", "A", { msgtype: "m.text", body: "x".repeat(500) }, words).body;
    assert.equal(long.length, 180);
    assert.ok(long.endsWith("…"));
  });
});
