import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CalendarEventFields } from "../protocol.ts";
import { canonicalJson, changedFields, fieldsWire, mergeFields } from "./merge.ts";
import { backoffMs } from "./sync-engine.ts";
import { SyncStore } from "./sync-store.ts";

const base: CalendarEventFields = {
  summary: "Conseil", description: null, location: "Mairie", organizer: null, attendees: [], reminders: [], video: null,
  calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T180000" }, dtend: { tzid: "Europe/Paris", value: "20261201T200000" } }, overrides: [] },
};

describe("calendar bot: merge, store, back-off", () => {
  it("three-way merge per field: one side's change wins, both changed keeps the room's and counts a conflict", () => {
    const room = { ...base, location: "Salle B", summary: "Conseil (salle)" };
    const remote = { ...base, description: "Budget", summary: "Conseil (CalDAV)" };
    const m = mergeFields(fieldsWire(base), room, remote);
    assert.equal(m.fields.location, "Salle B");
    assert.equal(m.fields.description, "Budget");
    assert.equal(m.fields.summary, "Conseil (salle)");
    assert.deepEqual(m.conflicts, ["summary"]);
    assert.deepEqual(changedFields(fieldsWire(room), m.fields), { description: "Budget" });
    assert.equal(mergeFields({}, base, { ...base }).conflicts.length, 0, "first contact with equal sides: nothing to merge");
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
    assert.deepEqual(fieldsWire({ ...base, description: "" })["description"], null);
  });

  it("the store is one 0600 file replaced atomically, read back as saved, and refuses a foreign file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-calstore-"));
    try {
      const path = join(dir, "data", "store.json");
      const s = await SyncStore.open(path);
      s.binding("gt").syncToken = "tok-1";
      s.binding("gt").objects["u1"] = { href: "http://dav/c/u1.ics", etag: '"e1"', base: fieldsWire(base), rsvps: "[]" };
      s.setCredentials("gt", { username: "agent", password: "secret" });
      await s.save();
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(join(dir, "data")), ["store.json"], "no temp file left");
      const again = await SyncStore.open(path);
      assert.equal(again.binding("gt").syncToken, "tok-1");
      assert.equal(again.binding("gt").objects["u1"]?.etag, '"e1"');
      assert.equal(again.credentials("gt")?.password, "secret");
      writeFileSync(path, JSON.stringify({ hello: "world" }));
      await assert.rejects(SyncStore.open(path), /not a calendar bot store/);
      assert.match(readFileSync(path, "utf8"), /hello/, "a foreign file is left alone");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a binding moved to another collection starts its sync state again (the old hrefs are not deletions there)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-calstore-"));
    try {
      const store = await SyncStore.open(join(dir, "store.json"));
      const a = store.forCollection("gt", "http://dav-a/c/");
      a.syncToken = "t1";
      a.objects["u"] = { href: "http://dav-a/c/u.ics", base: {}, rsvps: "" };
      assert.equal(store.forCollection("gt", "http://dav-a/c/").syncToken, "t1", "same collection: kept");
      const b = store.forCollection("gt", "http://dav-b/c/");
      assert.deepEqual(b, { collection: "http://dav-b/c/", objects: {}, skipped: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("back-off doubles from 1 s to 5 min with ±20 % jitter", () => {
    assert.equal(backoffMs(1, () => 0.5), 1000);
    assert.equal(backoffMs(4, () => 0.5), 8000);
    assert.equal(backoffMs(30, () => 0.5), 300_000);
    assert.equal(backoffMs(1, () => 0), 800);
    assert.equal(backoffMs(1, () => 1), 1200);
  });
});
