import assert from "node:assert/strict";
import { buildObjectiveRoot, buildObjectiveUpdate, buildObjectivesState, foldObjectives, OBJECTIVE_UPDATE, parseObjectivesState, parseRoomPowerLevels } from "./protocol.ts";
import { rawEvent, rootEvent } from "../../../../appservices/protocol/src/test-support.ts";
import { mayDeleteObjective } from "./objectives-setup.ts";

const CREATOR = "@alice:ville-a.fr";
const OWNER = "@bob:agglo-b.fr";
const OTHER = "@claire:ville-a.fr";

describe("mayDeleteObjective: the client's rule is the fold's", () => {
  // Every combination of sender, sender level and list permissions: the client offers the delete
  // exactly when the fold applies it (a refused delete would be sent and then ignored everywhere).
  const senders = [CREATOR, OWNER, OTHER];
  const levels = [0, 50, 100];
  const permissionSets = [{}, { delete: 0 }, { delete: 100 }, { edit: 60, delete: 40 }];
  for (const sender of senders) {
    for (const level of levels) {
      for (const permissions of permissionSets) {
        it(`${sender} at level ${level}, permissions ${JSON.stringify(permissions)}`, () => {
          const state = parseObjectivesState(buildObjectivesState({ anchor: "$a", permissions }));
          assert.ok(state.ok);
          const power = parseRoomPowerLevels({ users: { [CREATOR]: 100, [sender]: level }, users_default: 0 });
          const root = rootEvent("$o", CREATOR, 1, buildObjectiveRoot({ anchor: "$a", title: "Réduire les délais", owner: OWNER, keyResults: [] }));
          const del = rawEvent("$d", OBJECTIVE_UPDATE, sender, 2, buildObjectiveUpdate({ root: "$o", clock: 1, delete: true }));
          const folded = foldObjectives({ events: [root, del], config: state.value, levels: power }).objectives.get("$o");
          assert.ok(folded);
          const may = mayDeleteObjective({ creator: CREATOR, owner: OWNER }, sender, power, state.value);
          assert.equal(may.ok, folded.deleted);
        });
      }
    }
  }
});
