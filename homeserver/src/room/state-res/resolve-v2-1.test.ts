// Where state resolution v2.1 (MSC4297, room v12) and v2 disagree. Each DAG is resolved with the v11
// authorisation rules under both algorithms (a hypothetical "v11 + v2.1" version isolates the
// algorithm change), and again as a real v12 room.
// https://spec.matrix.org/v1.16/rooms/v12/#state-resolution

import assert from "node:assert/strict";
import { stateKeyOf } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import { resolveState } from "./resolve.ts";
import { ALICE, BASE_STATE, BOB, CHARLIE, standardRoom, TestDag, versionOf } from "./test-dag.ts";

const PL = stateKeyOf("m.room.power_levels", "");
const JR = stateKeyOf("m.room.join_rules", "");
const TOPIC = stateKeyOf("m.room.topic", "");

const V11 = versionOf("11");
const V11_WITH_V2_1: RoomVersion = { ...V11, stateRes: "v2.1" };
const V12 = versionOf("12");

type Scenario = (version: RoomVersion) => { dag: TestDag; sets: Map<string, string>[] };

async function resolvedUnder(scenario: Scenario, version: RoomVersion): Promise<Map<string, string>> {
  const { dag, sets } = scenario(version);
  return resolveState(version, sets, dag);
}

/**
 * MSC4297 problem A. Alice switches the join rules to invite, then leaves. One state set was
 * fetched with the older join rules, so the join rules conflict while "Alice has left" is
 * unconflicted. v2 replays the join rules on top of that: both fail, the room loses its join rules.
 */
const joinRulesReset: Scenario = (version) => {
  const dag = standardRoom(version);
  dag.joinRules("$JR2", ALICE, "invite", ["$IPOWER", "$IMA"]);
  dag.member("$LA", ALICE, ALICE, "leave", ["$IPOWER", "$IMA"]);
  return { dag, sets: [dag.state(...BASE_STATE, "$JR2", "$LA"), dag.state(...BASE_STATE, "$LA")] };
};

/**
 * MSC4297 problem B. Alice promotes Bob ($PL1), Bob promotes Charlie ($PL2). One state set has
 * the outdated $IPOWER, yet its topic cites $PL1, so $PL1 is in both auth chains and not in the auth
 * difference. Only the conflicted subgraph ($PL2 → $PL1 → $IPOWER) brings $PL1 back for replay.
 */
const promotionReset: Scenario = (version) => {
  const dag = standardRoom(version);
  dag.powerLevels("$PL1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
  dag.powerLevels("$PL2", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }, ["$PL1", "$IMB"]);
  dag.topic("$TB", BOB, "Bob's topic", ["$PL1", "$IMB"]);
  return { dag, sets: [dag.state(...BASE_STATE, "$PL2", "$TB"), dag.state(...BASE_STATE, "$TB")] };
};

/**
 * Both sides agree on $PA1, so v2.1 never replays it and its partially resolved state has no power
 * levels: the mainline is empty and origin_server_ts alone orders the topics. v2 starts from the
 * unconflicted $PA1 and orders by mainline. (Synapse computes the same; see authDifference.)
 */
const unconflictedPowerLevels: Scenario = (version) => {
  const dag = standardRoom(version);
  dag.powerLevels("$PA1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
  dag.topic("$TB", BOB, "based on $PA1", ["$PA1", "$IMB"], { ts: 50 });
  dag.topic("$TA", ALICE, "based on $IPOWER", ["$IPOWER", "$IMA"], { ts: 100 });
  return { dag, sets: [dag.state(...BASE_STATE, "$PA1", "$TA"), dag.state(...BASE_STATE, "$PA1", "$TB")] };
};

describe("resolveState: v2 vs v2.1 (MSC4297)", () => {
  it("problem A: v2 resets the join rules, v2.1 replays them on their own auth events", async () => {
    const v2 = await resolvedUnder(joinRulesReset, V11);
    assert.equal(v2.has(JR), false, "v2 drops both join rules events");
    assert.equal((await resolvedUnder(joinRulesReset, V11_WITH_V2_1)).get(JR), "$JR2");
    assert.equal((await resolvedUnder(joinRulesReset, V12)).get(JR), "$JR2");
  });

  it("problem A: the unconflicted state is still applied at the end (Alice has left)", async () => {
    for (const version of [V11, V11_WITH_V2_1, V12]) {
      const resolved = await resolvedUnder(joinRulesReset, version);
      assert.equal(resolved.get(stateKeyOf("m.room.member", ALICE)), "$LA");
    }
  });

  it("problem B: v2 resets to the old power levels, v2.1 replays the conflicted subgraph", async () => {
    assert.equal((await resolvedUnder(promotionReset, V11)).get(PL), "$IPOWER");
    assert.equal((await resolvedUnder(promotionReset, V11_WITH_V2_1)).get(PL), "$PL2");
    const v12 = await resolvedUnder(promotionReset, V12);
    assert.equal(v12.get(PL), "$PL2");
    assert.equal(v12.get(TOPIC), "$TB");
  });

  it("without a conflicted power levels event v2.1 has no mainline: origin_server_ts decides", async () => {
    assert.equal((await resolvedUnder(unconflictedPowerLevels, V11)).get(TOPIC), "$TB");
    assert.equal((await resolvedUnder(unconflictedPowerLevels, V11_WITH_V2_1)).get(TOPIC), "$TA");
    assert.equal((await resolvedUnder(unconflictedPowerLevels, V12)).get(TOPIC), "$TA");
  });

  it("step 5: the unconflicted event wins at a key the replay changed", async () => {
    for (const version of [V11, V12]) {
      const dag = standardRoom(version);
      // Two concurrent power levels from Alice; both sides settled on $PZ (Bob 0), but Bob's topic
      // cites $P1 (Bob 50), which only one side's auth chains reach: it is replayed first.
      dag.powerLevels("$P1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      dag.powerLevels("$PZ", ALICE, { [ALICE]: 100, [BOB]: 0 }, ["$IPOWER", "$IMA"]);
      dag.topic("$TB", BOB, "b", ["$P1", "$IMB"]);
      dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"], { ts: 0 });
      const resolved = await resolveState(version, [dag.state(...BASE_STATE, "$PZ", "$TB"), dag.state(...BASE_STATE, "$PZ", "$TA")], dag);
      assert.equal(resolved.get(PL), "$PZ", `v${version.id}`);
      assert.equal(resolved.get(TOPIC), "$TB", `v${version.id}`);
    }
  });
});

describe("resolveState: room v12 specifics", () => {
  it("creators (incl. additional_creators) sort first with infinite power", async () => {
    const build = (version: string, users: Record<string, number>, create: Record<string, string[]>): TestDag => {
      const dag = standardRoom(version, users, create);
      // Charlie (100) acts first by the clock, Bob later.
      dag.joinRules("$JRC", CHARLIE, "invite", ["$IPOWER", "$IMC"], { ts: 100 });
      dag.joinRules("$JRB", BOB, "knock", ["$IPOWER", "$IMB"], { ts: 200 });
      return dag;
    };
    const v12 = build("12", { [CHARLIE]: 100 }, { additional_creators: [BOB] });
    const setsOf = (dag: TestDag): Map<string, string>[] => [dag.state(...BASE_STATE, "$JRC"), dag.state(...BASE_STATE, "$JRB")];
    // Bob is a creator: his event is applied first, Charlie's last.
    assert.equal((await resolveState(v12.version, setsOf(v12), v12)).get(JR), "$JRC");
    // In v11 Bob merely has 100, like Charlie: timestamps decide and Bob's is applied last.
    const v11 = build("11", { [BOB]: 100, [CHARLIE]: 100 }, {});
    assert.equal((await resolveState(v11.version, setsOf(v11), v11)).get(JR), "$JRB");
  });

  it("ignores rejected auth events when falling back on an event's own auth events", async () => {
    const build = (): TestDag => {
      const dag = standardRoom("12");
      dag.powerLevels("$PLX", ALICE, { [BOB]: 50 }, ["$IPOWER", "$IMA"]);
      // Charlie's profile change cites $PLX too, so every side's auth chains contain it.
      dag.add("$MC2", { type: "m.room.member", sender: CHARLIE, stateKey: CHARLIE, content: { membership: "join", displayname: "C" }, auth: ["$PLX", "$IJR", "$IMC"] });
      dag.topic("$TA", ALICE, "a", ["$IPOWER", "$IMA"]);
      dag.topic("$TB", BOB, "b", ["$PLX", "$IMB"]);
      return dag;
    };
    const sets = (dag: TestDag): Map<string, string>[] => [dag.state(...BASE_STATE, "$MC2", "$TB"), dag.state(...BASE_STATE, "$MC2", "$TA")];
    const accepted = build();
    assert.equal((await resolveState(accepted.version, sets(accepted), accepted)).get(TOPIC), "$TB");
    const rejected = build();
    rejected.rejected.add("$PLX");
    assert.equal((await resolveState(rejected.version, sets(rejected), rejected)).get(TOPIC), "$TA");
  });
});
