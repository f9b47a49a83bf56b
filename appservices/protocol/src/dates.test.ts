// Task dates: which calendar days exist, checked against the JavaScript Date (which the parser no
// longer calls: it counts days by arithmetic).
import assert from "node:assert/strict";
import { parseTaskDate } from "./dates.ts";

/** Whether the day exists, as Date.UTC reads the same digits (years 0–99 become 1900–1999). */
function existsPerDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

describe("protocol: task dates", () => {
  it("accepts exactly the days Date.UTC accepts, leap years and the 0–99 years included", () => {
    const years = [...Array.from({ length: 130 }, (_, i) => i), ...Array.from({ length: 220 }, (_, i) => 1890 + i), 2400, 2500, 9996, 9999];
    let accepted = 0;
    for (const y of years) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const digits = `${String(y).padStart(4, "0")}${String(m).padStart(2, "0")}${String(d).padStart(2, "0")}`;
          const expected = existsPerDate(y, m, d);
          assert.equal(parseTaskDate({ date: digits }, "due").ok, expected, digits);
          assert.equal(parseTaskDate({ tzid: "Europe/Paris", value: `${digits}T120000` }, "due").ok, expected, `${digits}T120000`);
          if (expected) accepted++;
        }
      }
    }
    assert.equal(accepted, years.reduce((n, y) => n + (existsPerDate(y, 2, 29) ? 366 : 365), 0));
  });
});
