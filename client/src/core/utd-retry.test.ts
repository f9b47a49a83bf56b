import { strict as assert } from "node:assert";
import { UtdRetryPlan, type BackupMark } from "./utd-retry.ts";

const limits = { firstDelayMs: 5, maxDelayMs: 40, maxTracked: 3, againAfterMs: 6, maxAttempts: 4 };
const utd = (eventId: string, sessionId = "s1", roomId = "!r") => ({ eventId, roomId, sessionId, event: eventId });
const mark = (count: number, etag = String(count), version = "1"): BackupMark => ({ version, etag, count });

describe("client undecryptable-message retry plan", () => {
  it("retries one message per session at the first look, then only when the backup changes, backing off meanwhile", () => {
    const plan = new UtdRetryPlan<string>(limits);
    assert.equal(plan.add(utd("$a")), true, "idle plan: arm the timer");
    assert.equal(plan.add(utd("$b")), false, "same session: the timer already runs");
    assert.equal(plan.add(utd("$c", "s2")), true, "a new session is looked for soon");
    assert.equal(plan.nextDelay(), 5);
    assert.deepEqual(plan.checked(mark(1)).map((u) => u.sessionId).sort(), ["s1", "s2"], "first look of the wave: the key may have arrived");
    assert.equal(plan.nextDelay(), 5);
    assert.deepEqual(plan.checked(mark(1)), [], "backup unchanged: nothing to ask");
    assert.equal(plan.nextDelay(), 10);
    assert.deepEqual(plan.checked(undefined), [], "request failed: nothing, and back off");
    assert.equal(plan.nextDelay(), 20);
    plan.checked(mark(1));
    plan.checked(mark(1));
    assert.equal(plan.nextDelay(), 40, "capped");
    assert.equal(plan.checked(mark(2)).length, 2, "a key was uploaded: retry");
    assert.equal(plan.nextDelay(), 5, "and look again soon");
    assert.equal(plan.checked(mark(2, "3")).length, 2, "a new etag (keys replaced) counts as a change");
    assert.equal(plan.checked(mark(2, "3", "2")).length, 2, "and a new backup version");
  });

  it("stops when every message decrypted, and a later wave starts afresh", () => {
    const plan = new UtdRetryPlan<string>(limits);
    plan.add(utd("$a"));
    plan.checked(mark(1));
    plan.checked(mark(1));
    plan.drop("$a");
    assert.equal(plan.size, 0);
    assert.equal(plan.nextDelay(), 5);
    plan.add(utd("$b", "s9"));
    assert.equal(plan.checked(mark(1)).length, 1, "first look of the new wave retries even with the same backup");
  });

  it("asks nothing without a backup, and follows a bounded number of messages", () => {
    const plan = new UtdRetryPlan<string>(limits);
    for (const id of ["$1", "$2", "$3", "$4"]) plan.add(utd(id, id));
    assert.equal(plan.size, 3);
    assert.deepEqual(plan.checked(null), [], "no backup on the server");
    assert.deepEqual(plan.checked(mark(1)).map((u) => u.eventId).sort(), ["$2", "$3", "$4"], "the oldest was dropped");
  });

  it("gives a session up after maxAttempts backup changes without its key, and follows it no more", () => {
    const plan = new UtdRetryPlan<string>(limits);
    plan.add(utd("$lost", "gone"));
    for (let n = 1; n <= 4; n++) assert.equal(plan.checked(mark(n)).length, 1, `attempt ${n}`);
    plan.add(utd("$lost", "gone")); // the retry failed again
    assert.deepEqual(plan.checked(mark(5)), [], "fifth change: given up");
    assert.equal(plan.size, 0, "nothing followed: the timer stops");
    assert.equal(plan.add(utd("$lost", "gone")), false, "its next failure is not followed again");
    assert.equal(plan.size, 0);
  });
});
