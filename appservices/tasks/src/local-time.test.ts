import assert from "node:assert/strict";
import { instantBefore, instantOf, wallTimeAt, wallTimeFromIcal } from "./local-time.ts";

const P = "Europe/Paris";
const iso = (ms: number | undefined): string => new Date(ms ?? NaN).toISOString();
const w = (s: string): NonNullable<ReturnType<typeof wallTimeFromIcal>> => {
  const v = wallTimeFromIcal(s);
  assert.ok(v);
  return v;
};

describe("local time across DST (Europe/Paris)", () => {
  it("maps wall times to instants in winter and summer", () => {
    assert.equal(iso(instantOf(w("20270115T100000"), P)), "2027-01-15T09:00:00.000Z");
    assert.equal(iso(instantOf(w("20270715T100000"), P)), "2027-07-15T08:00:00.000Z");
    assert.deepEqual(wallTimeAt(Date.parse("2027-07-15T08:00:00Z"), P), w("20270715T100000"));
  });
  it("moves a wall time of the spring gap forward, takes the first of the autumn overlap", () => {
    assert.equal(iso(instantOf(w("20270328T023000"), P)), "2027-03-28T01:30:00.000Z");
    assert.equal(iso(instantOf(w("20271031T023000"), P)), "2027-10-31T00:30:00.000Z");
  });
  it("subtracts days as calendar days (same wall time) and hours as exact time", () => {
    // Due Sunday 28 March 2027 10:00 (summer time); the day before at 10:00 is still winter time.
    assert.equal(iso(instantBefore(w("20270328T100000"), P, "P1D")), "2027-03-27T09:00:00.000Z");
    assert.equal(iso(instantBefore(w("20271031T100000"), P, "P1D")), "2027-10-30T08:00:00.000Z");
    assert.equal(iso(instantBefore(w("20270328T100000"), P, "PT24H")), "2027-03-27T08:00:00.000Z");
    assert.equal(iso(instantBefore(w("20270328T100000"), P, "P1W")), "2027-03-21T09:00:00.000Z");
    assert.equal(iso(instantBefore(w("20270328T100000"), P, "P1DT2H")), "2027-03-27T07:00:00.000Z");
    assert.equal(instantBefore(w("20270328T100000"), P, "1D"), undefined);
  });
});
