import { strict as assert } from "node:assert";
import { debouncedChanges } from "./debounced-changes.ts";

describe("client debounced changes", () => {
  it("gives one call after a burst, none after the stop", async () => {
    let listener: (() => void) | undefined;
    let unsubscribed = false;
    let runs = 0;
    const stop = debouncedChanges((l) => { listener = l; return () => { unsubscribed = true; }; }, () => { runs++; }, 5);
    listener?.();
    listener?.();
    listener?.();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(runs, 1, "one call for the burst");
    listener?.();
    stop();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(runs, 1, "the pending call is dropped at the stop");
    assert.ok(unsubscribed);
  });
});
