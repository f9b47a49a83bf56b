// Classic state resolution v2 scenarios (the cases Synapse's test_v2.py describes, rebuilt from their
// description), run under v2 (room v11) and v2.1 (room v12), where both must agree.

import assert from "node:assert/strict";
import { stateKeyOf } from "../pdu.ts";
import { resolveState } from "./resolve.ts";
import { ALICE, BASE_STATE, BOB, CHARLIE, CREATE, EVELYN, readable, standardRoom, TestDag } from "./test-dag.ts";

const PL = stateKeyOf("m.room.power_levels", "");
const JR = stateKeyOf("m.room.join_rules", "");
const TOPIC = stateKeyOf("m.room.topic", "");
const member = (userId: string): string => stateKeyOf("m.room.member", userId);

const resolve = (dag: TestDag, ...sets: Map<string, string>[]): Promise<Map<string, string>> =>
  resolveState(dag.version, sets, dag);

describe("resolveState: trivial inputs", () => {
  it("resolves no state sets to the empty state", async () => {
    const dag = standardRoom("11");
    assert.equal((await resolveState(dag.version, [], dag)).size, 0);
  });

  it("returns a single state set unchanged without loading any event", async () => {
    const dag = standardRoom("11");
    const only = dag.state(...BASE_STATE);
    assert.deepEqual(readable(await resolve(dag, only)), readable(only));
    assert.equal(dag.loads.size, 0);
  });

  it("returns identical state sets unchanged without loading any event", async () => {
    const dag = standardRoom("12");
    const resolved = await resolve(dag, dag.state(...BASE_STATE), dag.state(...BASE_STATE), dag.state(...BASE_STATE));
    assert.deepEqual(readable(resolved), readable(dag.state(...BASE_STATE)));
    assert.equal(dag.loads.size, 0);
  });

  for (const v of ["11", "12"]) {
    it(`passes unconflicted state through and resolves a key missing from one set (v${v})`, async () => {
      const dag = standardRoom(v);
      dag.member("$ME", EVELYN, EVELYN, "join", ["$IJR", "$IPOWER"]);
      dag.topic("$T1", ALICE, "one", ["$IPOWER", "$IMA"]);
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$ME"), dag.state(...BASE_STATE, "$T1"));
      // Evelyn's join and the topic are each in one set only: both conflicted, both allowed.
      assert.deepEqual(readable(resolved), readable(dag.state(...BASE_STATE, "$ME", "$T1")));
    });
  }
});

for (const v of ["11", "12"]) {
  describe(`resolveState: classic scenarios (room v${v})`, () => {
    it("ban vs power levels: Alice's ban is applied before Bob's power levels, which then fail", async () => {
      const dag = standardRoom(v);
      dag.powerLevels("$PA", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      // Bob's change has the earlier timestamp: only the power ordering puts the ban first.
      dag.powerLevels("$PB", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }, ["$PA", "$IMB"]);
      dag.member("$MB", ALICE, BOB, "ban", ["$PA", "$IMA", "$IMB"]);
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$PA", "$MB"), dag.state(...BASE_STATE, "$PB"));
      assert.equal(resolved.get(PL), "$PA");
      assert.equal(resolved.get(member(BOB)), "$MB");
    });

    it("topic reset: Bob's topic is undone when Bob is banned concurrently", async () => {
      const dag = standardRoom(v);
      dag.topic("$T1", ALICE, "one", ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PA", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.topic("$T2", BOB, "two", ["$PA", "$IMB"]);
      dag.member("$MB", ALICE, BOB, "ban", ["$PA", "$IMA", "$IMB"]);
      const resolved = await resolve(
        dag,
        dag.state(...BASE_STATE, "$T1", "$PA", "$T2"),
        dag.state(...BASE_STATE, "$T1", "$PA", "$MB"),
      );
      assert.equal(resolved.get(TOPIC), "$T1");
      assert.equal(resolved.get(member(BOB)), "$MB");
      assert.equal(resolved.get(PL), "$PA");
    });

    it("join rule evasion: a join racing a switch from public to invite is dropped", async () => {
      const dag = standardRoom(v);
      dag.joinRules("$JR", ALICE, "invite", ["$IPOWER", "$IMA"]);
      dag.member("$ME", EVELYN, EVELYN, "join", ["$IJR", "$IPOWER"]);
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$JR"), dag.state(...BASE_STATE, "$ME"));
      assert.equal(resolved.get(JR), "$JR");
      assert.equal(resolved.has(member(EVELYN)), false);
    });

    it("join rule conflict: the more powerful sender's rule is applied first, so the other's stands", async () => {
      const dag = standardRoom(v, { [BOB]: 50 });
      // Bob (50) has the earlier timestamp, Alice (100, v12: creator) the later one.
      dag.joinRules("$JRB", BOB, "public", ["$IPOWER", "$IMB"], { ts: 100 });
      dag.joinRules("$JRA", ALICE, "invite", ["$IPOWER", "$IMA"], { ts: 200 });
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$JRA"), dag.state(...BASE_STATE, "$JRB"));
      assert.equal(resolved.get(JR), "$JRB");
    });

    for (const [tsB, tsC, winner] of [[100, 101, "$PC"], [101, 100, "$PB"], [100, 100, "$PC"]] as const) {
      it(`power levels conflict between two equal admins: ts ${tsB} vs ${tsC} → ${winner} applied last`, async () => {
        const dag = standardRoom(v, { [BOB]: 100, [CHARLIE]: 100 });
        const admins = { [ALICE]: 100, [BOB]: 100, [CHARLIE]: 100 };
        dag.powerLevels("$PB", BOB, { ...admins, [EVELYN]: 50 }, ["$IPOWER", "$IMB"], { ts: tsB });
        dag.powerLevels("$PC", CHARLIE, { ...admins, [EVELYN]: 20 }, ["$IPOWER", "$IMC"], { ts: tsC });
        const resolved = await resolve(dag, dag.state(...BASE_STATE, "$PB"), dag.state(...BASE_STATE, "$PC"));
        // Equal timestamps fall back to the event id: "$PB" < "$PC".
        assert.equal(resolved.get(PL), winner);
      });
    }

    it("offtopic power levels: the auth difference replays Bob's promotion of Charlie", async () => {
      const dag = standardRoom(v);
      dag.powerLevels("$PA", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PB", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }, ["$PA", "$IMB"]);
      // Charlie lowers his own level, which needs the level $PB gave him.
      dag.powerLevels("$PC", CHARLIE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 0 }, ["$PB", "$IMC"]);
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$PC"), dag.state(...BASE_STATE, "$PA"));
      assert.equal(resolved.get(PL), "$PC");
    });

    it("topic basic: Bob's power levels and topic fail after Alice demotes him", async () => {
      const dag = standardRoom(v);
      dag.topic("$T1", ALICE, "one", ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PA1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.topic("$T2", ALICE, "two", ["$PA1", "$IMA"]);
      dag.powerLevels("$PA2", ALICE, { [ALICE]: 100, [BOB]: 0 }, ["$PA1", "$IMA"]);
      dag.powerLevels("$PB", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 10 }, ["$PA1", "$IMB"]);
      dag.topic("$T3", BOB, "three", ["$PB", "$IMB"]);
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$PA2", "$T2"), dag.state(...BASE_STATE, "$PB", "$T3"));
      assert.equal(resolved.get(PL), "$PA2");
      assert.equal(resolved.get(TOPIC), "$T2");
    });

    it("topic set after a power levels change wins over a later-stamped topic based on older ones", async () => {
      const dag = standardRoom(v);
      dag.powerLevels("$PA1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PA2", ALICE, { [ALICE]: 100, [BOB]: 0 }, ["$PA1", "$IMA"]);
      // $T4 follows $PA2; $T3 only knew $PA1 but carries a later origin_server_ts.
      dag.topic("$T4", ALICE, "four", ["$PA2", "$IMA"], { ts: 400 });
      dag.topic("$T3", ALICE, "three", ["$PA1", "$IMA"], { ts: 500 });
      const resolved = await resolve(dag, dag.state(...BASE_STATE, "$PA2", "$T4"), dag.state(...BASE_STATE, "$PA1", "$T3"));
      assert.equal(resolved.get(PL), "$PA2");
      assert.equal(resolved.get(TOPIC), "$T4");
    });

    it("mainline ordering: the topic based on the newest power levels is applied last, whatever its ts", async () => {
      const dag = standardRoom(v);
      dag.powerLevels("$PA1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PA2", ALICE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }, ["$PA1", "$IMA"]);
      // Timestamps run against the mainline: ts ordering alone would pick $TA.
      dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"], { ts: 300 });
      dag.topic("$TB", BOB, "b", ["$PA1", "$IMB"], { ts: 200 });
      dag.topic("$TC", CHARLIE, "c", ["$PA2", "$IMC"], { ts: 100 });
      const resolved = await resolve(
        dag,
        dag.state(...BASE_STATE, "$PA2", "$TA"),
        dag.state(...BASE_STATE, "$PA1", "$TB"),
        dag.state(...BASE_STATE, "$PA2", "$TC"),
      );
      assert.equal(resolved.get(PL), "$PA2");
      assert.equal(resolved.get(TOPIC), "$TC");
    });
  });
}

describe("resolveState: scale", () => {
  it("resolves across a 2,000-event power levels chain without recursion", async () => {
    const dag = standardRoom("11");
    let previous = "$IPOWER";
    for (let i = 1; i <= 2_000; i++) {
      previous = dag.powerLevels(`$P${i}`, ALICE, { [ALICE]: 100, [BOB]: i % 100 }, [previous, "$IMA"]);
    }
    const resolved = await resolve(dag, dag.state(...BASE_STATE, "$P1"), dag.state(...BASE_STATE, previous));
    assert.equal(resolved.get(PL), previous);
    for (const [id, count] of dag.loads) assert.equal(count, 1, `${id} loaded ${count} times`);
    assert.equal(dag.loads.has(CREATE), true);
  });
});
