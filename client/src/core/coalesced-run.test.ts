import { strict as assert } from "node:assert";
import { coalescedRun } from "./coalesced-run.ts";

describe("client coalesced run", () => {
  it("runs one at a time and once more for any number of calls during a run", async () => {
    let runs = 0;
    let active = 0;
    let release: (() => void) | undefined;
    const load = coalescedRun(async () => {
      runs++;
      active++;
      assert.equal(active, 1, "never two runs at once");
      await new Promise<void>((r) => { release = r; });
      active--;
    });
    const first = load();
    const second = load();
    void load();
    assert.equal(first, second, "a call during a run gets the run going");
    assert.equal(runs, 1);
    release?.();
    await first;
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 2, "the calls during the first run ask for exactly one more");
    release?.();
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 2, "nothing asked during the second run: no third");
    assert.equal(active, 0);
  });
});
