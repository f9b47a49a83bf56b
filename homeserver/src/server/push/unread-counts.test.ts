import assert from "node:assert/strict";
import type { PushActionRow, PushStore, ThreadCounts } from "../../storage/push-store.ts";
import { roomUnread } from "./unread-counts.ts";

const ME = "@bob:x";
const ROOM = "!r:x";

/** A store over recorded actions (in memory) and read positions by receipt thread. */
function store(recorded: readonly PushActionRow[], read: Map<string, number>): PushStore {
  const mine = (a: PushActionRow, after: number, upTo: number): boolean => a.userId === ME && a.roomId === ROOM && a.stream > after && a.stream <= upTo;
  const sum = (rows: PushActionRow[], threadId: string): ThreadCounts => ({ threadId, notifications: rows.length, highlights: rows.filter((a) => a.highlight).length });
  return {
    readPositions: async () => read,
    countsByThread: async (_u: string, _r: string, after: number, upTo: number) => {
      const rows = recorded.filter((a) => mine(a, after, upTo));
      return [...new Set(rows.map((a) => a.threadId))].map((t) => sum(rows.filter((a) => a.threadId === t), t));
    },
    countInThread: async (_u: string, _r: string, thread: string, after: number, upTo: number) => sum(recorded.filter((a) => a.threadId === thread && mine(a, after, upTo)), thread),
  } as unknown as PushStore;
}

const action = (stream: number, threadId: string, highlight = false, userId = ME, roomId = ROOM): PushActionRow =>
  ({ userId, roomId, stream, eventId: `$${stream}`, threadId, highlight, actions: "[]", ts: 0 });

describe("roomUnread with actions not recorded yet", () => {
  const actions = [
    action(2, "main"), action(3, "$t1", true), action(4, "main", true), action(5, "$t1"), action(6, "$t2"),
    action(7, "main", false, "@carol:x"), action(8, "main", false, ME, "!other:x"), action(9, "$t2", true), action(10, "main"),
  ];
  const receipts: [string, Map<string, number>][] = [
    ["none", new Map()],
    ["unthreaded at 3", new Map([["", 3]])],
    ["main thread at 4, $t1 at 9", new Map([["main", 4], ["$t1", 9]])],
    ["unthreaded at 5, $t2 at 2", new Map([["", 5], ["$t2", 2]])],
  ];

  for (const [name, read] of receipts) {
    it(`counts as if all were recorded, wherever the record stops (receipts: ${name})`, async () => {
      const all = await roomUnread(store(actions, read), ME, ROOM, 10);
      for (let recorded = 0; recorded <= 10; recorded++) {
        const split = await roomUnread(store(actions.filter((a) => a.stream <= recorded), read), ME, ROOM, recorded, undefined, actions.filter((a) => a.stream > recorded));
        assert.deepEqual(split, all, `recorded up to ${recorded}`);
      }
    });
  }

  it("a receipt past the recorded position hides the later actions it covers", async () => {
    const read = new Map([["", 6]]);
    const u = await roomUnread(store(actions.filter((a) => a.stream <= 4), read), ME, ROOM, 4, undefined, actions.filter((a) => a.stream > 4));
    assert.deepEqual(u.total, { notifications: 2, highlights: 1 });
    assert.deepEqual([...u.threads.keys()], ["$t2"]);
  });
});
