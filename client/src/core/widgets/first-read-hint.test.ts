import assert from "node:assert/strict";
import { clearFirstReadHints, parseQuery, READ_AT_OPEN_KEY, storedFirstReadHint, type PageQuery } from "./first-read-hint.ts";
import { memoryStorage } from "./prefixed-storage.ts";


const query: PageQuery = { eventId: "$anchor", roomId: "!r:ville-a.fr", relType: "m.reference", eventType: undefined, from: undefined, to: undefined, limit: 3, direction: "f" };
const KEY = "!r|tasks|https://w";

describe("first-read hint storage", () => {
  it("writes and reads nothing while the read at open is off (the default)", () => {
    const storage = memoryStorage();
    storedFirstReadHint(storage, "@anne:ville-a.fr", KEY).save(query);
    assert.deepEqual([...storage.m.keys()], []);
    storage.setItem(`entente.widget-first-read.@anne:ville-a.fr|${KEY}`, JSON.stringify(query));
    assert.equal(storedFirstReadHint(storage, "@anne:ville-a.fr", KEY).load(), undefined);
  });

  it("keeps hints per user and widget key when on; a damaged value is no hint", () => {
    const storage = memoryStorage([[READ_AT_OPEN_KEY, "1"]]);
    storedFirstReadHint(storage, "@anne:ville-a.fr", KEY).save(query);
    assert.deepEqual(storedFirstReadHint(storage, "@anne:ville-a.fr", KEY).load(), query);
    assert.ok([...storage.m.keys()].some((k) => k.includes("@anne:ville-a.fr")), "the user id is in the key");
    assert.equal(storedFirstReadHint(storage, "@bruno:ville-a.fr", KEY).load(), undefined, "another agent on the same PC sees no hint");
    assert.equal(storedFirstReadHint(storage, "@anne:ville-a.fr", "!r|tasks|https://other").load(), undefined);
    assert.equal(parseQuery("{"), undefined);
    assert.equal(parseQuery(JSON.stringify({ ...query, eventId: 3 })), undefined);
    assert.deepEqual(parseQuery(JSON.stringify({ ...query, limit: -1, direction: "x", relType: 4 })), { ...query, limit: undefined, direction: undefined, relType: undefined });
    assert.equal(storedFirstReadHint(undefined, "@anne:ville-a.fr", "k").load(), undefined);
  });

  it("clears every user's hints at sign-out, and nothing else", () => {
    const storage = memoryStorage([[READ_AT_OPEN_KEY, "1"], ["entente.session", "{}"], ["entente.widget-approvals", "{}"]]);
    storedFirstReadHint(storage, "@anne:ville-a.fr", KEY).save(query);
    storedFirstReadHint(storage, "@bruno:ville-a.fr", "!s|tasks|https://w").save(query);
    clearFirstReadHints(storage);
    assert.deepEqual([...storage.m.keys()], [READ_AT_OPEN_KEY, "entente.session", "entente.widget-approvals"]);
    clearFirstReadHints(undefined);
  });
});
