import { strict as assert } from "node:assert";
import { TypingNotifier } from "./typing-notifier.ts";

describe("client typing notices", () => {
  it("sends typing once per few seconds while typing, and stopped when emptied or sent", () => {
    const sent: boolean[] = [];
    let now = 10_000;
    const n = new TypingNotifier((typing) => { sent.push(typing); return Promise.resolve(); }, () => now);
    n.draftChanged("B");
    n.draftChanged("Bo");
    now += 1000;
    n.draftChanged("Bon");
    assert.deepEqual(sent, [true], "one request for a burst of keys");
    now += 4000;
    n.draftChanged("Bonj");
    assert.deepEqual(sent, [true, true], "renewed before the server's timeout");
    n.draftChanged("");
    n.stop();
    assert.deepEqual(sent, [true, true, false], "stopped once");
  });
});
