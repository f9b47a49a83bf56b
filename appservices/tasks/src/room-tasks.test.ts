// The bot's room cache reads v12 creators through the protocol's power levels (no bot-side
// special case): its own checks and the fold agree, whatever order /state listed the events in.
import assert from "node:assert/strict";
import { buildTaskRoot } from "../../protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../protocol/src/task-update.ts";
import { buildTasksState } from "../../protocol/src/tasks-state.ts";
import { ROOM_MESSAGE, TASK_UPDATE } from "../../protocol/src/event-types.ts";
import { RoomTasks } from "./room-tasks.ts";

const CREATOR = "@maire:ville-a.fr";
const AGENT = "@agent:ville-a.fr";
const BOT = "@taches:ville-a.fr";

function room(createFirst: boolean, version: string): RoomTasks {
  const r = new RoomTasks("!r:ville-a.fr");
  const create = (): void => r.setCreate(CREATOR, { room_version: version });
  if (createFirst) create();
  r.setPowerLevels({ users: { [BOT]: 50 }, users_default: 0 });
  if (!createFirst) create();
  r.setConfig(buildTasksState({ anchor: "$anchor", permissions: { delete: 100 } }));
  r.add({ event_id: "$t", type: ROOM_MESSAGE, sender: AGENT, origin_server_ts: 1, content: buildTaskRoot({ anchor: "$anchor", title: "Tâche" }) }, BOT);
  r.add({ event_id: "$u", type: TASK_UPDATE, sender: CREATOR, origin_server_ts: 2, content: buildTaskUpdate({ root: "$t", clock: 1, delete: true }) }, BOT);
  return r;
}

describe("tasks bot: room levels", () => {
  it("counts the creator of a v12 room above every level, in its checks and in the fold", () => {
    for (const createFirst of [true, false]) {
      const r = room(createFirst, "12");
      assert.equal(r.levelOf(CREATOR), Infinity);
      assert.equal(r.levelOf(BOT), 50);
      assert.equal(r.fold().tasks.get("$t")?.deleted, true, `create event ${createFirst ? "before" : "after"} power levels`);
    }
  });
  it("keeps power levels only in older rooms", () => {
    const r = room(true, "11");
    assert.equal(r.levelOf(CREATOR), 0);
    assert.equal(r.fold().tasks.get("$t")?.deleted, false);
  });
});
