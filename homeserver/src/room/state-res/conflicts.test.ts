import assert from "node:assert/strict";
import { conflictedSubgraph, fullConflictedSet, isPowerEvent, splitConflicted } from "./conflicts.ts";
import { eventLoader } from "./state-res-source.ts";
import { ALICE, BASE_STATE, BOB, CHARLIE, standardRoom, versionOf } from "./test-dag.ts";

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

describe("splitConflicted", () => {
  it("keeps keys with one value in every set, conflicts the rest (absent counts as different)", () => {
    const a = new Map([["k1", "$A"], ["k2", "$B"], ["k3", "$C"]]);
    const b = new Map([["k1", "$A"], ["k2", "$X"]]);
    const c = new Map([["k1", "$A"], ["k2", "$B"], ["k3", "$C"]]);
    const { unconflicted, conflicted } = splitConflicted([a, b, c]);
    assert.deepEqual([...unconflicted], [["k1", "$A"]]);
    assert.deepEqual(sorted(conflicted), ["$B", "$C", "$X"]);
  });

  it("has nothing conflicted for one set or none", () => {
    assert.equal(splitConflicted([new Map([["k", "$A"]])]).conflicted.size, 0);
    assert.equal(splitConflicted([]).unconflicted.size, 0);
  });
});

describe("isPowerEvent", () => {
  const dag = standardRoom("11");
  const cases: [string, boolean][] = [
    [dag.powerLevels("$P", ALICE, { [ALICE]: 100 }, []), true],
    [dag.joinRules("$J", ALICE, "invite", []), true],
    [dag.member("$KICK", ALICE, BOB, "leave", []), true],
    [dag.member("$BAN", ALICE, BOB, "ban", []), true],
    [dag.member("$LEAVE", BOB, BOB, "leave", []), false],
    [dag.member("$INVITE", ALICE, CHARLIE, "invite", []), false],
    [dag.topic("$TOPIC", ALICE, "t", []), false],
    [dag.add("$PLX", { type: "m.room.power_levels", sender: ALICE, stateKey: "x", auth: [] }), false],
    [dag.add("$MSG", { type: "m.room.power_levels", sender: ALICE, auth: [] }), false],
    ["$CREATE", false],
  ];
  for (const [id, expected] of cases) {
    it(`${id} ${expected ? "is" : "is not"} a power event`, () => assert.equal(isPowerEvent(dag.get(id)), expected));
  }
});

describe("conflicted state subgraph (v2.1)", () => {
  const build = () => {
    const dag = standardRoom("12");
    dag.powerLevels("$PL1", ALICE, { [BOB]: 50 }, ["$IPOWER", "$IMA"]);
    dag.powerLevels("$PL2", BOB, { [BOB]: 50, [CHARLIE]: 50 }, ["$PL1", "$IMB"]);
    dag.topic("$TB", BOB, "b", ["$PL1", "$IMB"]);
    return dag;
  };

  it("holds every event on an auth path between two conflicted events, endpoints included", async () => {
    const dag = build();
    const subgraph = await conflictedSubgraph(new Set(["$PL2", "$IPOWER"]), eventLoader(dag, dag.version));
    // $PL2 → $PL1 → $IPOWER, and $PL2 → $IMB → $IJR → $IPOWER. $IMA is reached but reaches no
    // conflicted event; $TB reaches one but is not reached from one.
    assert.deepEqual(sorted(subgraph), ["$IJR", "$IMB", "$IPOWER", "$PL1", "$PL2"]);
  });

  it("is just the conflicted events when no path joins them", async () => {
    const dag = build();
    dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"]);
    const subgraph = await conflictedSubgraph(new Set(["$TA", "$TB"]), eventLoader(dag, dag.version));
    assert.deepEqual(sorted(subgraph), ["$TA", "$TB"]);
  });

  it("is part of the full conflicted set in v2.1 only", async () => {
    const dag = build();
    const sets = [dag.state(...BASE_STATE, "$PL2", "$TB"), dag.state(...BASE_STATE, "$TB")];
    const conflicted = splitConflicted(sets).conflicted;
    const v21 = await fullConflictedSet(sets, conflicted, eventLoader(dag, dag.version));
    assert.deepEqual(sorted(v21), ["$IJR", "$IMB", "$IPOWER", "$PL1", "$PL2"]);
    // The same events judged as v2 (only the state resolution flag differs).
    const v2 = await fullConflictedSet(sets, conflicted, eventLoader(dag, { ...versionOf("12"), stateRes: "v2" }));
    assert.deepEqual(sorted(v2), ["$IPOWER", "$PL2"]);
  });
});

