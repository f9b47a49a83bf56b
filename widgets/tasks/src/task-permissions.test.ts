import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "../../../appservices/protocol/src/power-levels.ts";
import { TASK_DEFAULTS } from "../../../appservices/protocol/src/task-root.ts";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import { DEFAULT_TASK_PERMISSIONS } from "../../../appservices/protocol/src/tasks-state.ts";
import { boardRights, taskRights } from "./task-permissions.ts";

const task = (extra: Partial<Task> = {}): Task => ({
  ...TASK_DEFAULTS, id: "$t", creator: "@crea:x", createdAt: 1, checklist: [], deleted: false, clock: 0, updates: 0, lastUpdatedBy: "@crea:x", ...extra,
});
const levels = parseRoomPowerLevels({ users: { "@mod:x": 50 }, users_default: 0 });
const strict = { ...DEFAULT_TASK_PERMISSIONS, edit: 20, assign: 30 };

describe("task board: rights", () => {
  it("follows the fold: creator and assignees edit, others need edit; assigning others needs assign; delete needs delete or being the creator", () => {
    assert.deepEqual(taskRights(task(), levels, "@crea:x", strict), { edit: true, assignOthers: { needs: 30 }, delete: true });
    assert.deepEqual(taskRights(task({ assignees: ["@as:x"] }), levels, "@as:x", strict), { edit: true, assignOthers: { needs: 30 }, delete: { needs: 50 } });
    assert.deepEqual(taskRights(task(), levels, "@other:x", strict), { edit: { needs: 20 }, assignOthers: { needs: 20 }, delete: { needs: 50 } });
    assert.deepEqual(taskRights(task(), levels, "@mod:x", strict), { edit: true, assignOthers: true, delete: true });
    assert.deepEqual(taskRights(task(), levels, "@other:x"), { edit: true, assignOthers: true, delete: { needs: 50 } }, "defaults: everyone edits and assigns");
    assert.deepEqual(boardRights(levels, "@other:x", { ...strict, create: 10 }), { create: { needs: 10 }, assignOthers: { needs: 30 } });
    assert.deepEqual(boardRights(levels, "@mod:x", strict), { create: true, assignOthers: true });
  });
});
