import assert from "node:assert/strict";
import { buildTaskRoot } from "../../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../../appservices/protocol/src/task-update.ts";
import { buildTasksState, parseTasksState } from "../../../appservices/protocol/src/tasks-state.ts";
import { foldTasks, TaskFold } from "../../../appservices/protocol/src/task-fold.ts";
import { parseRoomPowerLevels } from "../../../appservices/protocol/src/power-levels.ts";
import { BoardStore } from "./board-store.ts";
import type { BoardPort, RawEvent } from "./board-port.ts";
import { TASK_BOARD_CAPABILITIES } from "./capabilities.ts";

/** An in-memory room behind the port: state, relations by (event, rel type, event type), sent events. */
function fakeRoom(events: RawEvent[], state: Record<string, RawEvent>, opts: { recurse?: boolean } = {}) {
  const sent: Array<[string, Record<string, unknown>]> = [];
  const calls = { relations: 0, tree: 0 };
  let live: ((e: RawEvent) => void) | undefined;
  const relatesTo = (e: RawEvent, relType: string): string | undefined => {
    const rel = (e["content"] as Record<string, unknown>)["m.relates_to"] as Record<string, unknown> | undefined;
    return rel?.["rel_type"] === relType ? (rel["event_id"] as string) : undefined;
  };
  const port: BoardPort = {
    readState: async (type) => state[type],
    members: async () => Object.values(state).filter((e) => e.type === "m.room.member"),
    relations: async (eventId, relType, eventType) => {
      calls.relations++;
      return events.filter((e) => e.type === eventType && relatesTo(e, relType) === eventId);
    },
    relationTree: async (eventId, relType) => {
      calls.tree++;
      if (opts.recurse !== true) return undefined;
      // Three levels, every event type, as the homeserver's recurse does.
      const ids = new Set([eventId]);
      for (let level = 0; level < 3; level++) for (const e of events) if (ids.has(relatesTo(e, relType) ?? "")) ids.add(e.event_id);
      return events.filter((e) => e.event_id !== eventId && ids.has(e.event_id));
    },
    recent: async (eventId, relType, eventType, limit) => port.relations(eventId, relType, eventType).then((l) => l.reverse().slice(0, limit)),
    send: async (type, content) => {
      sent.push([type, content]);
      const id = `$sent${sent.length}`;
      events.push({ event_id: id, type, sender: "@me:x", origin_server_ts: 100 + sent.length, content });
      return id;
    },
    onEvent: (l) => { live = l; return () => (live = undefined); },
  };
  return { port, sent, calls, push: (e: RawEvent) => live?.(e) };
}

const ev = (id: string, type: string, sender: string, ts: number, content: Record<string, unknown>): RawEvent => ({ event_id: id, type, sender, origin_server_ts: ts, content });
const root = ev("$t1", "m.room.message", "@a:x", 1, buildTaskRoot({ anchor: "$anchor", title: "Préparer", checklist: [{ id: "c1", text: "Ordre du jour", done: false }] }));
const up = ev("$u1", "fr.entente.task.update", "@b:y", 2, buildTaskUpdate({ root: "$t1", clock: 4, set: { status: "doing" } }));
const thread = ev("$c1", "m.room.message", "@b:y", 3, { msgtype: "m.text", body: "Je m'en occupe", "m.relates_to": { rel_type: "m.thread", event_id: "$t1" } });
const state = {
  "fr.entente.tasks": ev("$s", "fr.entente.tasks", "@bot:x", 0, buildTasksState({ anchor: "$anchor" })),
  "m.room.create": ev("$cr", "m.room.create", "@a:x", 0, { room_version: "12" }),
};

describe("task board: store", () => {
  it("builds the members' names once per change of the members, not once per card (memberLabel was O(members) a name)", async () => {
    const member = (userId: string, name: string): RawEvent => ({ ...ev(`$${userId}`, "m.room.member", userId, 0, { membership: "join", displayname: name }), state_key: userId });
    const people = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`member${i}`, member(`@agent${i}:x`, i < 2 ? "agent" : `Agent ${i}`)]));
    const room = fakeRoom([root], { ...state, ...people });
    const store = new BoardStore(room.port);
    await store.load();
    let reads = 0;
    const values = store.members.values.bind(store.members);
    store.members.values = () => { reads++; return values(); };
    // 2,000 cards with three assignees each
    for (let card = 0; card < 2000; card++) for (let a = 0; a < 3; a++) store.memberLabels.label(`@agent${(card + a) % 300}:x`);
    assert.equal(reads, 1, "the members were read once for 6,000 names");
    assert.equal(store.memberLabels.label("@agent0:x"), "agent (@agent0:x)");
    assert.equal(store.memberLabels.label("@agent5:x"), "Agent 5");
    // a member joins with a name already taken on another server: the names change at once
    room.push(member("@agent5:y", "Agent 5"));
    assert.equal(store.memberLabels.label("@agent5:x"), "Agent 5 (x)");
    assert.equal(store.memberLabels.label("@agent5:y"), "Agent 5 (y)");
    assert.equal(reads, 2, "read again once, after the change");
    room.push({ ...member("@agent5:y", "Agent 5"), content: { membership: "leave" } });
    assert.equal(store.memberLabels.label("@agent5:x"), "Agent 5");
    assert.equal(store.memberLabels.label("@agent5:y"), "@agent5:y", "no longer a member: the user id");
  });

  it("keeps a member's name when an older member event is pushed after the newer one (an invite fed after the join)", async () => {
    const join = { ...ev("$join", "m.room.member", "@bob:y", 20, { membership: "join", displayname: "Bob Martin" }), state_key: "@bob:y" };
    const room = fakeRoom([root], { ...state, bob: join });
    const store = new BoardStore(room.port);
    await store.load();
    room.push({ ...ev("$invite", "m.room.member", "@a:x", 10, { membership: "invite" }), state_key: "@bob:y" });
    assert.equal(store.memberLabels.label("@bob:y"), "Bob Martin");
    room.push({ ...ev("$leave", "m.room.member", "@bob:y", 30, { membership: "leave" }), state_key: "@bob:y" });
    assert.equal(store.memberLabels.label("@bob:y"), "@bob:y", "a newer leave is taken");
  });

  it("loads the list through the anchor's and roots' relations and folds it", async () => {
    const room = fakeRoom([root, up, thread], state);
    const store = new BoardStore(room.port);
    await store.load();
    assert.equal(store.status, "ready");
    assert.equal(store.result.tasks.get("$t1")?.status, "doing");
    assert.equal(store.levels.creators?.has("@a:x"), true, "v12 creator from the create event");
    await store.loadComments("$t1");
    assert.deepEqual(store.comments("$t1").map((c) => c.body), ["Je m'en occupe"]);
  });

  it("reads the whole list in one recursive read when the client recurses, else one read per level and task", async () => {
    const root2 = ev("$t2", "m.room.message", "@a:x", 5, buildTaskRoot({ anchor: "$anchor", title: "Voter" }));
    const up2 = ev("$u2", "fr.entente.task.update", "@a:x", 6, buildTaskUpdate({ root: "$t2", clock: 7, set: { status: "done" } }));
    const chat = ev("$m", "m.room.message", "@a:x", 7, { msgtype: "m.text", body: "pas une tâche", "m.relates_to": { rel_type: "m.reference", event_id: "$anchor" } });
    for (const recurse of [true, false]) {
      const room = fakeRoom([root, up, thread, root2, up2, chat], state, { recurse });
      const store = new BoardStore(room.port);
      await store.load();
      assert.equal(store.status, "ready");
      assert.deepEqual([...store.result.tasks.values()].map((t) => [t.id, t.status]), [["$t1", "doing"], ["$t2", "done"]], `recurse ${recurse}`);
      assert.deepEqual(room.calls, recurse ? { relations: 0, tree: 1 } : { relations: 3, tree: 1 }, `recurse ${recurse}`);
    }
  });

  it("folds a recursive read page by page as the pages come, and folds everything again when a live event came meanwhile", async () => {
    const events: RawEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(ev(`$r${i}`, "m.room.message", "@a:x", 10 + i, buildTaskRoot({ anchor: "$anchor", title: `Tâche ${i}` })));
    for (let i = 0; i < 90; i++) events.push(ev(`$v${i}`, "fr.entente.task.update", "@a:x", 100 + i, buildTaskUpdate({ root: `$r${i % 30}`, clock: 1 + i, set: { status: i % 2 === 0 ? "doing" : "done", title: `Titre ${i}` } })));
    const config = parseTasksState(buildTasksState({ anchor: "$anchor" }));
    if (!config.ok) throw new Error(config.reason);
    const expected = foldTasks({ events, levels: parseRoomPowerLevels({}, { sender: "@a:x", content: { room_version: "12" } }), config: config.value });
    for (const liveMidway of [undefined, "new", "redacted copy"] as const) {
      const room = fakeRoom([...events], state);
      let pages = 0;
      // A client that recurses, answering in pages of 50, each handed over as it is decoded.
      room.port.relationTree = async (_id, _rel, onPage) => {
        const out: RawEvent[] = [];
        for (let at = 0; at < events.length; at += 50) {
          const page = events.slice(at, at + 50);
          out.push(...page);
          onPage?.(page);
          pages++;
          await new Promise((r) => setTimeout(r, 1));
          // an update sent by someone while the list is read: the board gets it live
          if (liveMidway === "new" && at === 0) room.push(ev("$late", "fr.entente.task.update", "@a:x", 500, buildTaskUpdate({ root: "$r0", clock: 1000, set: { title: "Arrivée pendant la lecture" } })));
          // or the server's redacted copy of an update already read (the same id: #events keeps it in its place)
          if (liveMidway === "redacted copy" && at === 50) room.push({ ...ev("$v0", "fr.entente.task.update", "@a:x", 100, {}), unsigned: { redacted_because: { event_id: "$x" } } });
        }
        return out;
      };
      performance.clearMeasures("entente:board-fold-page");
      const store = new BoardStore(room.port);
      await store.load();
      assert.equal(pages, 3);
      assert.equal(performance.getEntriesByName("entente:board-fold-page").length, 3, "one partial fold per page");
      assert.equal(store.result.tasks.size, 30);
      if (liveMidway === undefined) assert.deepEqual(store.result, expected);
      else if (liveMidway === "new") {
        assert.equal(store.result.tasks.get("$r0")?.title, "Arrivée pendant la lecture", "the live update is in the fold");
        assert.deepEqual(store.result.tasks.get("$r1"), expected.tasks.get("$r1"));
      } else assert.deepEqual(store.result.skipped, [{ eventId: "$v0", reason: "redacted" }], "the live copy is the one folded");
    }
  });

  it("sends updates with the next Lamport clock, never reusing one before the echo arrives", async () => {
    const room = fakeRoom([root, up], state);
    const store = new BoardStore(room.port);
    await store.load();
    await store.update("$t1", { checklist: { done: { c1: true } } });
    await store.update("$t1", { set: { status: "done" } });
    assert.deepEqual(room.sent.map(([type, c]) => [type, c["clock"]]), [["fr.entente.task.update", 5], ["fr.entente.task.update", 6]]);
    assert.equal(store.result.tasks.get("$t1")?.status, "done", "its own updates folded without waiting for the live feed");
    assert.equal(store.result.tasks.get("$t1")?.checklist[0]?.done, true);
    assert.deepEqual((room.sent[0]![1]["m.relates_to"] as Record<string, unknown>)["event_id"], "$t1");
    await store.createTask({ title: "Nouvelle", assignees: ["@b:y"] });
    const [type, content] = room.sent[2]!;
    assert.equal(type, "m.room.message");
    assert.equal(content["msgtype"], "fr.entente.task");
    assert.deepEqual(content["m.relates_to"], { rel_type: "m.reference", event_id: "$anchor" });
    assert.equal(store.result.tasks.get("$sent3")?.title, "Nouvelle");
    await store.comment("$t1", "Fait");
    assert.deepEqual((room.sent[3]![1]["m.relates_to"] as Record<string, unknown>)["rel_type"], "m.thread");
  });

  it("follows live events: updates, redactions, new power levels, a thread reply", async () => {
    const room = fakeRoom([root], state);
    const store = new BoardStore(room.port);
    let changes = 0;
    store.onChange(() => changes++);
    await store.load();
    room.push(up);
    assert.equal(store.result.tasks.get("$t1")?.status, "doing");
    room.push(ev("$r", "m.room.redaction", "@b:y", 5, { redacts: "$u1" }));
    assert.equal(store.result.tasks.get("$t1")?.status, "todo", "a redacted update counts as absent");
    room.push({ ...ev("$pl", "m.room.power_levels", "@a:x", 6, { users_default: 0 }), state_key: "" });
    room.push(thread);
    assert.deepEqual(store.comments("$t1").map((c) => c.eventId), ["$c1"]);
    assert.ok(changes >= 4);
  });

  it("keeps the fold made page by page when the client pushes the same state again and feeds timeline events during the read (no whole refold)", async () => {
    // As our client does: its state push reaches the board as live events too, while the board
    // reads the same state, and its timeline's latest events come live as the board starts and
    // while the list is read; the list comes in pages (onPage).
    const pl = ev("$pl", "m.room.power_levels", "@a:x", 0, { users_default: 0 });
    const full = { ...state, "m.room.power_levels": pl };
    const updates = Array.from({ length: 6 }, (_, i) => ev(`$u${i + 2}`, "fr.entente.task.update", "@b:y", 10 + i, buildTaskUpdate({ root: "$t1", clock: 5 + i, set: { status: i % 2 === 0 ? "doing" : "blocked" } })));
    const late = ev("$late", "fr.entente.task.update", "@b:y", 50, buildTaskUpdate({ root: "$t1", clock: 40, set: { title: "Arrivée pendant la lecture" } }));
    const room = fakeRoom([root, up, ...updates], full, { recurse: true });
    room.port.relationTree = async (_id, _rel, onPage) => {
      const pages = [[root, up], updates.slice(0, 3), updates.slice(3)];
      for (const [i, page] of pages.entries()) {
        for (const e of Object.values(full)) room.push({ ...e, state_key: "" }); // pushed again, unchanged
        room.push(updates[4]!); // a timeline event the list holds too
        if (i === 1) room.push(late); // sent while the list is read
        await Promise.resolve();
        onPage?.(page);
      }
      return pages.flat();
    };
    const { add, result } = TaskFold.prototype;
    const folds = new Set<TaskFold>();
    let results = 0;
    TaskFold.prototype.add = function (this: TaskFold, events) { folds.add(this); add.call(this, events); };
    TaskFold.prototype.result = function (this: TaskFold) { results++; return result.call(this); };
    try {
      const store = new BoardStore(room.port);
      const loading = store.load();
      // the first push, while the state is read (the list state first, the levels after it)
      for (const e of Object.values(full)) room.push({ ...e, state_key: "" });
      room.push(updates[5]!); // the timeline's latest event, before the list is read
      await loading;
      assert.equal(store.status, "ready");
      assert.equal(folds.size, 1, "one fold: the one made page by page, and no whole refold");
      assert.equal(results, 1);
      TaskFold.prototype.add = add;
      TaskFold.prototype.result = result;
      const levels = parseRoomPowerLevels(pl.content, { sender: "@a:x", content: { room_version: "12" } });
      const config = parseTasksState(full["fr.entente.tasks"].content);
      if (!config.ok) throw new Error(config.reason);
      assert.deepEqual(store.result, foldTasks({ events: [root, up, ...updates, late], levels, config: config.value }));
      assert.equal(store.result.tasks.get("$t1")?.title, "Arrivée pendant la lecture");
      assert.equal(store.result.tasks.get("$t1")?.updates, 8);
    } finally {
      TaskFold.prototype.add = add;
      TaskFold.prototype.result = result;
    }
  });

  it("uses a list state pushed while the state is read when it is newer than the one read, and retries a failed load when one comes", async () => {
    // The client answered the state read before it received a list set up again (new anchor).
    const again = ev("$s2", "fr.entente.tasks", "@bot:x", 5, buildTasksState({ anchor: "$anchor2" }));
    const room = fakeRoom([], state);
    const store = new BoardStore(room.port);
    const loading = store.load();
    room.push({ ...again, state_key: "" });
    room.push({ ...state["fr.entente.tasks"], state_key: "" }); // the older one pushed after it: not taken
    await loading;
    assert.equal(store.status, "ready");
    assert.equal(store.config?.anchor, "$anchor2");

    // A failed load (the state could not be read), then a list state arrives: the board loads again.
    let fail = true;
    const flaky = fakeRoom([], state);
    const readState = flaky.port.readState;
    flaky.port.readState = (type, key) => (fail ? Promise.reject(new Error("hors ligne")) : readState(type, key));
    const retried = new BoardStore(flaky.port);
    await retried.load();
    assert.equal(retried.status, "error");
    fail = false;
    const ready = new Promise<void>((resolve) => retried.onChange(() => { if (retried.status === "ready") resolve(); }));
    flaky.push({ ...again, state_key: "" });
    await ready;
    assert.equal(retried.config?.anchor, "$anchor2", "the pushed list state, newer than the one then read");
  });

  it("says when the room has no list or a broken one", async () => {
    const none = new BoardStore(fakeRoom([], {}).port);
    await none.load();
    assert.equal(none.status, "no-list");
    const bad = new BoardStore(fakeRoom([], { "fr.entente.tasks": ev("$s", "fr.entente.tasks", "@a:x", 0, { anchor: "nope" }) }).port);
    await bad.load();
    assert.equal(bad.status, "bad-list");
    assert.match(bad.problem, /anchor/);
  });

  it("asks exactly the capabilities it uses", () => {
    assert.deepEqual([...TASK_BOARD_CAPABILITIES], [
      "org.matrix.msc2762.receive.state_event:fr.entente.tasks#",
      "org.matrix.msc2762.receive.state_event:m.room.power_levels#",
      "org.matrix.msc2762.receive.state_event:m.room.create#",
      "org.matrix.msc2762.receive.event:m.room.message#fr.entente.task",
      "org.matrix.msc2762.send.event:m.room.message#fr.entente.task",
      "org.matrix.msc2762.receive.event:fr.entente.task.update",
      "org.matrix.msc2762.send.event:fr.entente.task.update",
      "org.matrix.msc2762.receive.event:m.room.message#m.text",
      "org.matrix.msc2762.send.event:m.room.message#m.text",
      "org.matrix.msc2762.receive.event:m.room.message#m.notice",
      "org.matrix.msc2762.receive.event:m.room.redaction",
      "org.matrix.msc2762.receive.state_event:m.room.member",
    ]);
  });
});
