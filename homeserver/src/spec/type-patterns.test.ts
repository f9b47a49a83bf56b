import assert from "node:assert/strict";
import { checkTypePatterns, compileTypePatterns, MAX_PATTERNS_PER_LIST } from "./type-patterns.ts";
import { MAX_GLOB_LENGTH, type GlobSteps } from "./glob.ts";
import { MatrixError } from "./matrix-error.ts";
import { parseRoomEventFilter, parseRoomEventFilterParam, matchesRoomEventFilter } from "../server/rooms/room-event-filter.ts";
import { parseSyncFilter, matchesEventFilter } from "../server/sync/sync-filter.ts";
import { validateFilter } from "../server/api/account/filter-schema.ts";
import type { Pdu } from "../room/pdu.ts";

const invalidParam = (e: unknown): boolean => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM" && e.status === 400;

describe("filter type patterns (issue 9, finding 1)", () => {
  it("caps the number of patterns per list and the length of each pattern with M_INVALID_PARAM", () => {
    const many = Array.from({ length: MAX_PATTERNS_PER_LIST + 1 }, (_, i) => `m.t${i}`);
    const long = ["*".repeat(MAX_GLOB_LENGTH + 1) + "b"];
    assert.doesNotThrow(() => checkTypePatterns(many.slice(1), "types"));
    assert.doesNotThrow(() => checkTypePatterns(["x".repeat(MAX_GLOB_LENGTH)], "types"));
    for (const list of [many, long]) {
      assert.throws(() => checkTypePatterns(list, "types"), invalidParam);
      // every parser that takes client filters applies the caps
      assert.throws(() => parseRoomEventFilter({ types: list }), invalidParam);
      assert.throws(() => parseRoomEventFilter({ not_types: list }), invalidParam);
      assert.throws(() => parseRoomEventFilterParam(JSON.stringify({ not_types: list })), invalidParam);
      assert.throws(() => parseSyncFilter({ room: { timeline: { not_types: list } } }), invalidParam);
      assert.throws(() => parseSyncFilter({ account_data: { types: list } }), invalidParam);
      assert.throws(() => parseSyncFilter({ presence: { types: list } }), invalidParam);
      assert.throws(() => validateFilter({ room: { state: { types: list } } }), invalidParam);
      assert.throws(() => validateFilter({ room: { timeline: { not_types: list } } }), invalidParam);
      assert.throws(() => validateFilter({ presence: { not_types: list } }), invalidParam);
    }
  });

  it("matches hostile lists in a bounded number of steps, once per event type", () => {
    // The worst shapes for the matcher: the longest allowed patterns, a full list, long types.
    const star = "*".repeat(MAX_GLOB_LENGTH - 1) + "b";
    const halves = "*" + "a".repeat(127) + "b";
    const alternating = ("*a".repeat(MAX_GLOB_LENGTH / 2 - 1) + "*b").slice(0, MAX_GLOB_LENGTH);
    const list = Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => ([star, halves, alternating][i % 3] ?? "").slice(0, MAX_GLOB_LENGTH - 3) + String(i).padStart(3, "0"));
    checkTypePatterns(list, "not_types");
    const steps: GlobSteps = { count: 0 };
    const matches = compileTypePatterns(list, steps);
    const type = "a".repeat(255);
    assert.equal(matches(type), false);
    const bound = MAX_PATTERNS_PER_LIST * MAX_GLOB_LENGTH * type.length;
    assert.ok(steps.count <= bound, `${steps.count} steps > ${bound}`);
    // measured 587,702 steps: far below the bound, since a mismatch only rescans the part after the last '*'
    assert.ok(steps.count < 2_000_000, `${steps.count} steps`);
    const first = steps.count;
    for (let i = 0; i < 1000; i++) matches(type);
    assert.equal(steps.count, first, "a known event type is answered from the cache");
  });

  it("keeps the filters' semantics: '*' wildcard, literal '?', not_types wins", () => {
    const f = parseRoomEventFilter({ types: ["m.room.*", "a?c"], not_types: ["m.room.member"] });
    const pdu = (type: string): Pdu => ({ type, sender: "@a:x", content: {} }) as unknown as Pdu;
    assert.ok(matchesRoomEventFilter(f, pdu("m.room.message"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.room.member"), "!r:x"));
    assert.ok(matchesRoomEventFilter(f, pdu("a?c"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("abc"), "!r:x"));
    const s = parseSyncFilter({ room: { timeline: { types: ["m.*"], not_types: ["m.typing"] } } });
    assert.ok(matchesEventFilter(s.timeline, "m.room.message", "@a:x"));
    assert.ok(!matchesEventFilter(s.timeline, "m.typing", "@a:x"));
    assert.ok(!matchesEventFilter(s.timeline, "org.x", "@a:x"));
  });
});
