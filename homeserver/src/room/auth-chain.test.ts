import assert from "node:assert/strict";
import { authChain, authDifference, cachingSource, MissingEventError } from "./auth-chain.ts";
import { ALICE, BASE_STATE, BOB, CREATE, standardRoom, TestDag } from "./state-res/test-dag.ts";

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

describe("authChain", () => {
  it("is every event reachable through auth_events, without the start events", async () => {
    const dag = standardRoom("11");
    const chain = await authChain(["$IMB"], dag);
    assert.deepEqual(sorted(chain), sorted([CREATE, "$IMA", "$IPOWER", "$IJR"]));
  });

  it("includes a start event reached from another start event", async () => {
    const dag = standardRoom("11");
    assert.deepEqual(sorted(await authChain(["$IMB", "$IPOWER"], dag)), sorted([CREATE, "$IMA", "$IPOWER", "$IJR"]));
  });

  it("is empty for the create event and for no events", async () => {
    const dag = standardRoom("11");
    assert.equal((await authChain([CREATE], dag)).size, 0);
    assert.equal((await authChain([], dag)).size, 0);
  });

  it("loads each event once, even in a diamond", async () => {
    const dag = standardRoom("11");
    dag.topic("$T1", ALICE, "a", ["$IPOWER", "$IMA"]);
    await authChain(["$IMB", "$IMC", "$T1", "$IMB"], dag);
    for (const [id, count] of dag.loads) assert.equal(count, 1, `${id} loaded ${count} times`);
    assert.equal(dag.loads.get("$IJR"), 1);
  });

  it("walks a 20,000-event chain without recursion", async () => {
    const dag = new TestDag("11");
    let previous = dag.member("$M0", ALICE, ALICE, "join", []);
    for (let i = 1; i <= 20_000; i++) {
      previous = dag.member(`$M${i}`, ALICE, ALICE, "join", [previous]);
    }
    const chain = await authChain([previous], dag);
    assert.equal(chain.size, 20_001);
    assert.ok(chain.has(CREATE) && chain.has("$M0") && !chain.has(previous));
  });

  it("does not include v12 create events, which auth_events never list", async () => {
    const dag = standardRoom("12");
    assert.deepEqual(sorted(await authChain(["$IMB"], dag)), sorted(["$IMA", "$IPOWER", "$IJR"]));
  });

  it("throws MissingEventError naming the missing event", async () => {
    const dag = new TestDag("11");
    dag.member("$IMA", ALICE, ALICE, "join", ["$GONE"]);
    await assert.rejects(authChain(["$IMA"], dag), (error: unknown) => {
      assert.ok(error instanceof MissingEventError);
      assert.equal(error.eventId, "$GONE");
      return true;
    });
  });
});

describe("authDifference", () => {
  it("is the union of the state sets' auth chains minus their intersection", async () => {
    const dag = standardRoom("11");
    dag.powerLevels("$PA", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
    dag.topic("$TB", BOB, "b", ["$PA", "$IMB"]);
    dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"]);
    const difference = await authDifference([dag.state(...BASE_STATE, "$TB"), dag.state(...BASE_STATE, "$TA")], dag);
    // $PA is only reached from $TB, and each conflicted topic belongs to one side. $IMB is reached
    // from $TB only, but it is in both state sets, so both sides have it: not a difference.
    assert.deepEqual(sorted(difference), ["$PA", "$TA", "$TB"]);
  });

  it("is empty for identical state sets, a single state set or none", async () => {
    const dag = standardRoom("11");
    const base = dag.state(...BASE_STATE);
    assert.equal((await authDifference([base, new Map(base)], dag)).size, 0);
    assert.equal((await authDifference([base], dag)).size, 0);
    assert.equal((await authDifference([], dag)).size, 0);
  });

  it("loads shared auth events once across state sets", async () => {
    const dag = standardRoom("11");
    dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"]);
    await authDifference([dag.state(...BASE_STATE), dag.state(...BASE_STATE, "$TA")], dag);
    assert.equal(dag.loads.get("$IPOWER"), 1);
    assert.equal(dag.loads.get(CREATE), 1);
  });
});

describe("cachingSource", () => {
  it("fetches a known event once and retries unknown ones", async () => {
    const dag = standardRoom("11");
    const cached = cachingSource(dag);
    await cached.getEvent("$IMA");
    await cached.getEvent("$IMA");
    await cached.getEvent("$NOPE");
    await cached.getEvent("$NOPE");
    assert.equal(dag.loads.get("$IMA"), 1);
    assert.equal(dag.loads.get("$NOPE"), 2);
  });
});
