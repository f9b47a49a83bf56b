import assert from "node:assert/strict";
import { mainlineOf, mainlineOrder, mainlinePosition } from "./mainline-order.ts";
import { reverseTopologicalPowerOrder } from "./reverse-topological-power-order.ts";
import { senderPowerLevel } from "./sender-power.ts";
import { eventLoader } from "./state-res-source.ts";
import type { EventLoader } from "./state-res-source.ts";
import { ALICE, BOB, CHARLIE, CREATE, standardRoom } from "./test-dag.ts";
import type { TestDag } from "./test-dag.ts";

const loaderOf = (dag: TestDag): EventLoader => eventLoader(dag, dag.version);

describe("senderPowerLevel", () => {
  it("reads the power levels among the auth events, else 100 for the creator and 0 for others", async () => {
    const dag = standardRoom("11", { [BOB]: 40 });
    const loader = loaderOf(dag);
    assert.equal(await senderPowerLevel(dag.get("$IMA"), loader), 100); // no power levels yet
    assert.equal(await senderPowerLevel(dag.get("$IMB"), loader), 40);
    assert.equal(await senderPowerLevel(dag.get("$IMC"), loader), 0);
  });

  it("v12: creators and additional_creators have infinite power", async () => {
    const dag = standardRoom("12", { [CHARLIE]: 100 }, { additional_creators: [BOB] });
    const loader = loaderOf(dag);
    assert.equal(await senderPowerLevel(dag.get("$IMA"), loader), Infinity);
    assert.equal(await senderPowerLevel(dag.get("$IMB"), loader), Infinity);
    assert.equal(await senderPowerLevel(dag.get("$IMC"), loader), 100);
  });

  it("before v10, reads levels given as strings", async () => {
    const dag = standardRoom("6");
    dag.add("$PS", { type: "m.room.power_levels", sender: ALICE, stateKey: "", content: { users: { [ALICE]: "100", [BOB]: " 70 " } }, auth: ["$IPOWER", "$IMA"] });
    dag.topic("$TB", BOB, "b", ["$PS", "$IMB"]);
    assert.equal(await senderPowerLevel(dag.get("$TB"), loaderOf(dag)), 70);
  });
});

describe("reverseTopologicalPowerOrder", () => {
  it("puts auth events before the events citing them, whatever the power", async () => {
    const dag = standardRoom("11");
    dag.member("$MB", ALICE, BOB, "ban", ["$IPOWER", "$IMA", "$IMB"]);
    assert.deepEqual(await reverseTopologicalPowerOrder(new Set(["$MB", "$IMB"]), loaderOf(dag)), ["$IMB", "$MB"]);
  });

  it("orders unrelated events by greater power, then earlier ts, then smaller event id", async () => {
    const dag = standardRoom("11", { [BOB]: 50, [CHARLIE]: 50 });
    dag.joinRules("$JRC", CHARLIE, "invite", ["$IPOWER", "$IMC"], { ts: 100 });
    dag.joinRules("$JRB", BOB, "invite", ["$IPOWER", "$IMB"], { ts: 100 });
    dag.joinRules("$JRA", ALICE, "invite", ["$IPOWER", "$IMA"], { ts: 300 });
    dag.joinRules("$JRD", BOB, "public", ["$IPOWER", "$IMB"], { ts: 50 });
    const order = await reverseTopologicalPowerOrder(new Set(["$JRC", "$JRB", "$JRA", "$JRD"]), loaderOf(dag));
    assert.deepEqual(order, ["$JRA", "$JRD", "$JRB", "$JRC"]);
  });

  it("respects auth dependencies that pass through events outside the set", async () => {
    const dag = standardRoom("11", { [BOB]: 50 });
    dag.powerLevels("$PA", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 10 }, ["$IPOWER", "$IMB"]);
    dag.powerLevels("$PB", ALICE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 20 }, ["$PA", "$IMA"]);
    dag.powerLevels("$PC", ALICE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 30 }, ["$PB", "$IMA"]);
    // Alice outranks Bob, but $PC descends from $PA through $PB, which is not in the set.
    assert.deepEqual(await reverseTopologicalPowerOrder(new Set(["$PC", "$PA"]), loaderOf(dag)), ["$PA", "$PC"]);
  });

  it("v12: creators come first, and two creators are ordered by ts", async () => {
    const dag = standardRoom("12", { [CHARLIE]: 100 }, { additional_creators: [BOB] });
    dag.joinRules("$JRC", CHARLIE, "invite", ["$IPOWER", "$IMC"], { ts: 100 });
    dag.joinRules("$JRB", BOB, "invite", ["$IPOWER", "$IMB"], { ts: 200 });
    dag.joinRules("$JRA", ALICE, "invite", ["$IPOWER", "$IMA"], { ts: 300 });
    const order = await reverseTopologicalPowerOrder(new Set(["$JRA", "$JRB", "$JRC"]), loaderOf(dag));
    assert.deepEqual(order, ["$JRB", "$JRA", "$JRC"]);
  });

  it("sorts a 5,000-event auth chain", async () => {
    const dag = standardRoom("11");
    const ids: string[] = [];
    let previous = "$IMA";
    for (let i = 0; i < 5_000; i++) {
      // Decreasing timestamps: only the auth order keeps the chain in sequence.
      previous = dag.member(`$M${i}`, ALICE, ALICE, "join", [previous, "$IPOWER"], { ts: 100_000 - i });
      ids.push(previous);
    }
    assert.deepEqual(await reverseTopologicalPowerOrder(new Set([...ids].reverse()), loaderOf(dag)), ids);
  });
});

describe("mainline ordering", () => {
  const build = (): TestDag => {
    const dag = standardRoom("11", { [BOB]: 50 });
    dag.powerLevels("$PA1", ALICE, { [ALICE]: 100, [BOB]: 50 }, ["$IPOWER", "$IMA"]);
    dag.powerLevels("$PA2", ALICE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }, ["$PA1", "$IMA"]);
    dag.powerLevels("$PB", BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 5 }, ["$PA1", "$IMB"]);
    dag.topic("$T0", ALICE, "cites $PA2", ["$PA2", "$IMA"], { ts: 10 });
    dag.topic("$T1", BOB, "cites $PB", ["$PB", "$IMB"], { ts: 20 });
    dag.topic("$T2", ALICE, "cites $IPOWER", ["$IPOWER", "$IMA"], { ts: 30 });
    dag.topic("$T2b", ALICE, "cites $IPOWER", ["$IPOWER", "$IMA"], { ts: 30 });
    dag.topic("$TX", ALICE, "cites no power levels", ["$IMA"], { ts: 40 });
    return dag;
  };

  it("builds the mainline from P₀ down through power levels auth events", async () => {
    const dag = build();
    const mainline = await mainlineOf("$PA2", loaderOf(dag));
    assert.deepEqual([...mainline], [["$PA2", 0], ["$PA1", 1], ["$IPOWER", 2]]);
  });

  it("gives the index of the first power levels event on the mainline, e₀ excluded", async () => {
    const dag = build();
    const loader = loaderOf(dag);
    const mainline = await mainlineOf("$PA2", loader);
    const position = (id: string): Promise<number> => mainlinePosition(dag.get(id), mainline, loader);
    assert.equal(await position("$T0"), 0);
    assert.equal(await position("$T1"), 1); // $PB is off the mainline, its parent $PA1 is on it
    assert.equal(await position("$T2"), 2);
    assert.equal(await position("$PA2"), 1); // P₀ itself is placed by its own power levels auth event
    assert.equal(await position("$TX"), Infinity);
    assert.equal(await position(CREATE), Infinity);
  });

  it("sorts by greater position first (Infinity first), then ts, then event id", async () => {
    const dag = build();
    const order = await mainlineOrder(["$T0", "$T1", "$T2b", "$T2", "$TX"], "$PA2", loaderOf(dag));
    assert.deepEqual(order, ["$TX", "$T2", "$T2b", "$T1", "$T0"]);
  });

  it("without power levels every position is Infinity: ts then event id", async () => {
    const dag = build();
    const order = await mainlineOrder(["$TX", "$T2b", "$T0", "$T2", "$T1"], undefined, loaderOf(dag));
    assert.deepEqual(order, ["$T0", "$T1", "$T2", "$T2b", "$TX"]);
  });
});
