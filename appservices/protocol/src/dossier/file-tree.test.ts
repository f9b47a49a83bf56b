import { strict as assert } from "node:assert";
import { parseRoomPowerLevels } from "../power-levels.ts";
import { prng, rawEvent, shuffled } from "../test-support.ts";
import { activeLock, buildFileLock, buildFileUpdate, buildFolderRoot, FILE_UPDATE, FOLDER_EVENT, parseFileUpdate } from "./file-tree-events.ts";
import { entryPath, foldFileTree } from "./file-tree-fold.ts";

const A = "@agent:a.test";
const B = "@agent:b.test";
const levels = parseRoomPowerLevels({ users: { [A]: 100 } });
const file = (id: string, sender: string, ts: number, name: string) => rawEvent(id, "m.room.message", sender, ts, { msgtype: "m.file", body: name, file: { url: "mxc://a.test/x" } });
const folder = (id: string, ts: number, name: string, parent?: string) => rawEvent(id, FOLDER_EVENT, A, ts, buildFolderRoot({ name, ...(parent ? { parent } : {}) }));
const update = (id: string, sender: string, ts: number, u: Parameters<typeof buildFileUpdate>[0]) => rawEvent(id, FILE_UPDATE, sender, ts, buildFileUpdate(u));

/** The scenario of the acceptance test: three files, a new version, a folder, a move. */
const scenario = [
  file("$f1", A, 1, "budget.ods"), file("$f2", A, 2, "etude.pdf"), file("$f3", A, 3, "plan.png"),
  file("$f1v2", A, 4, "budget.ods"), update("$u1", A, 5, { root: "$f1", clock: 1, addVersion: "$f1v2" }),
  folder("$d1", 6, "Études"), update("$u2", A, 7, { root: "$f2", clock: 2, parent: "$d1" }),
  update("$u3", B, 8, { root: "$f3", clock: 3, name: "plan-v1.png" }),
  update("$u4", B, 9, { root: "$f3", clock: 4, deleted: true }), update("$u5", A, 10, { root: "$f3", clock: 5, deleted: false }),
];

describe("dossier file tree (fold)", () => {
  it("folds files, versions, folders, moves, renames, deletion and restore", () => {
    const { entries, skipped, maxClock } = foldFileTree({ events: scenario, levels });
    assert.deepEqual(skipped, []);
    assert.equal(maxClock, 5);
    assert.deepEqual([...entries.keys()].sort(), ["$d1", "$f1", "$f2", "$f3"]);
    assert.deepEqual(entries.get("$f1")?.versions, ["$f1", "$f1v2"]);
    assert.equal(entryPath(entries, "$f2"), "Études/etude.pdf");
    assert.equal(entries.get("$f3")?.name, "plan-v1.png");
    assert.equal(entries.get("$f3")?.deleted, false);
    assert.equal(entries.get("$f3")?.lastUpdatedBy, A);
  });

  it("gives the same tree for 200 random delivery orders with duplicates", () => {
    const reference = foldFileTree({ events: scenario, levels });
    const rand = prng(15);
    for (let i = 0; i < 200; i++) {
      const r = foldFileTree({ events: shuffled(rand, [...scenario, ...scenario.slice(0, i % scenario.length)]), levels });
      assert.deepEqual(r, reference);
    }
  });

  it("concurrent updates: the higher clock wins, then the timestamp, then the event id", () => {
    const events = [file("$f", A, 1, "a"), update("$x", A, 5, { root: "$f", clock: 7, name: "from-A" }), update("$y", B, 4, { root: "$f", clock: 7, name: "from-B" })];
    assert.equal(foldFileTree({ events, levels }).entries.get("$f")?.name, "from-A");
    events.push(update("$z", B, 1, { root: "$f", clock: 8, name: "later clock" }));
    assert.equal(foldFileTree({ events, levels }).entries.get("$f")?.name, "later clock");
  });

  it("refuses a move into itself or a descendant, into a file, and updates of unknown roots; redacted updates do not count", () => {
    const events = [
      folder("$a", 1, "A"), folder("$b", 2, "B", "$a"), file("$f", A, 3, "x.pdf"),
      update("$m1", A, 4, { root: "$a", clock: 1, parent: "$b" }), update("$m2", A, 5, { root: "$a", clock: 2, parent: "$f" }),
      update("$m3", A, 6, { root: "$nope", clock: 3, name: "z" }), update("$m4", A, 7, { root: "$f", clock: 4, name: "redacted" }),
      rawEvent("$r", "m.room.redaction", A, 8, { redacts: "$m4" }),
    ];
    const { entries, skipped } = foldFileTree({ events, levels });
    assert.equal(entryPath(entries, "$b"), "A/B");
    assert.equal(entries.get("$f")?.name, "x.pdf");
    assert.deepEqual(skipped.map((s) => [s.eventId, s.reason]), [["$m1", "move would put a folder inside itself"], ["$m2", "parent is not a folder of this dossier"], ["$m3", "update of an unknown root"]]);
  });

  it("parses updates strictly and builds what it parses", () => {
    const built = buildFileUpdate({ root: "$f", clock: 3, name: "n.pdf", parent: null, deleted: false });
    assert.deepEqual(parseFileUpdate(built), { ok: true, value: { root: "$f", clock: 3, name: "n.pdf", parent: null, deleted: false } });
    for (const bad of [{ ...built, version: 2 }, { ...built, clock: -1 }, { ...built, set: { name: "a/b" } }, { ...built, set: { deleted: "yes" } }, { version: 1, clock: 1, "m.relates_to": { rel_type: "m.reference", event_id: "$f" } }]) {
      assert.equal(parseFileUpdate(bad).ok, false, JSON.stringify(bad));
    }
  });

  it("an advisory lock counts only when set by its holder and not expired", () => {
    const lock = buildFileLock(A, 1000);
    assert.deepEqual(activeLock(lock, A, 999), { holder: A, expiresAt: 1000 });
    assert.equal(activeLock(lock, A, 1000), undefined);
    assert.equal(activeLock(lock, B, 10), undefined);
    assert.equal(activeLock({}, A, 10), undefined);
  });
});
