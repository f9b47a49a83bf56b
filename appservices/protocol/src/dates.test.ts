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
  it("reads a date-time value as the pattern did: 15 characters, ASCII digits around a T, time of day bounded", () => {
    // the regular expression the parser used before it read the digits by arithmetic
    const before = (v: string): boolean => {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(v);
      return m !== null && parseTaskDate({ date: `${m[1]}${m[2]}${m[3]}` }, "d").ok && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 60;
    };
    const values = ["20250314T180000", "20250314T235960", "20250314T240000", "20250314T236000", "20250314T235961", "20250229T120000", "20240229T120000",
      "20250314t180000", "20250314 180000", "2025031T1800000", "20250314T18000", "20250314T1800000", "2025031٤T180000", "20250314T18000٠", "/0250314T180000",
      ":0250314T180000", "20250314T18:000", "", "T", "00000000T000000", "99991231T235959", "20251301T000000", "20250100T000000", "+2025031T180000", "2025-3-4T180000"];
    for (const v of values) assert.equal(parseTaskDate({ tzid: "Europe/Paris", value: v }, "due").ok, before(v), v);
  });
});
