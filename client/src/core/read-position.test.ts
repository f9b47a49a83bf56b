import { strict as assert } from "node:assert";
import { firstUnread, receiptsOnMessages } from "./read-position.ts";

const order = ["$m1", "$r1", "$m2", "$m3", "$state"];
const shown = new Set(["$m1", "$m2", "$m3"]);

describe("client read positions", () => {
  it("puts each reader under the last shown message they read", () => {
    const r = receiptsOnMessages(order, shown, [["@bob", "$r1"], ["@carol", "$state"], ["@dan", "$m3"], ["@old", "$unknown"]]);
    assert.deepEqual([...r.entries()], [["$m1", ["@bob"]], ["$m3", ["@carol", "@dan"]]]);
  });
  it("finds the first unread message from someone else", () => {
    const ev = [{ eventId: "$m1", sender: "@b" }, { eventId: "$r1", sender: "@b" }, { eventId: "$m2", sender: "@me" }, { eventId: "$m3", sender: "@b" }];
    assert.equal(firstUnread(ev, shown, "$m1", "@me", 2), "$m3", "reactions and my own messages are skipped");
    assert.equal(firstUnread(ev, shown, "$m3", "@me", 0), undefined, "all read");
    assert.equal(firstUnread(ev, shown, "$older", "@me", 5), "$m1", "position before the loaded window: the oldest loaded");
    assert.equal(firstUnread(ev, shown, "$older", "@me", 0), undefined);
  });
});
