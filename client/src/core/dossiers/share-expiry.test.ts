// The share dialog's expiry rules: presets within the service's maximum, a chosen date checked
// (not past, not too soon, not beyond the maximum; a non-date refused), local field values.
import assert from "node:assert/strict";
import { checkExpiry, defaultPreset, DEFAULT_SHARE_LIMITS, localDateTimeValue, parseLocalDateTime, parseShareLimits, presetsWithin } from "./share-expiry.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date(2026, 11, 7, 12, 23, 45).getTime();

describe("client dossiers: citizen share expiry", () => {
  it("offers the presets the service allows, 7 days first when it may", () => {
    assert.deepEqual(presetsWithin(DEFAULT_SHARE_LIMITS), ["24h", "7d", "30d", "date"]);
    assert.equal(defaultPreset(DEFAULT_SHARE_LIMITS), "7d");
    const short = { maxExpiryHours: 72, maxDownloads: 10 };
    assert.deepEqual(presetsWithin(short), ["24h", "date"]);
    assert.equal(defaultPreset(short), "24h");
    assert.equal(defaultPreset({ maxExpiryHours: 12, maxDownloads: 10 }), "date");
  });

  it("turns a preset into a date from now", () => {
    assert.deepEqual(checkExpiry("24h", "", now, DEFAULT_SHARE_LIMITS), { ok: true, expiresAt: now + DAY });
    assert.deepEqual(checkExpiry("30d", "", now, DEFAULT_SHARE_LIMITS), { ok: true, expiresAt: now + 30 * DAY });
    assert.deepEqual(checkExpiry("7d", "", now, { maxExpiryHours: 72, maxDownloads: 1 }), { ok: false, error: "expiryTooFar", latest: now + 72 * HOUR });
  });

  it("takes a chosen date and time in the agent's zone, refuses past, too soon, too far and non-dates", () => {
    assert.deepEqual(checkExpiry("date", "2026-12-24T17:30", now, DEFAULT_SHARE_LIMITS), { ok: true, expiresAt: new Date(2026, 11, 24, 17, 30).getTime() });
    const latest = now + 30 * DAY;
    assert.deepEqual(checkExpiry("date", "2026-12-07T12:00", now, DEFAULT_SHARE_LIMITS), { ok: false, error: "expiryPast", latest });
    assert.deepEqual(checkExpiry("date", "2026-12-07T13:00", now, DEFAULT_SHARE_LIMITS), { ok: false, error: "expiryTooSoon", latest });
    assert.deepEqual(checkExpiry("date", "2027-01-07T12:30", now, DEFAULT_SHARE_LIMITS), { ok: false, error: "expiryTooFar", latest });
    // the maximum's own minute (the field has no seconds): allowed, brought back to the maximum
    assert.deepEqual(checkExpiry("date", localDateTimeValue(latest), now, DEFAULT_SHARE_LIMITS), { ok: true, expiresAt: Math.min(latest, parseLocalDateTime(localDateTimeValue(latest))!) });
    for (const bad of ["", "demain", "2026-02-30T10:00", "2026-12-24"]) assert.equal(checkExpiry("date", bad, now, DEFAULT_SHARE_LIMITS).ok, false, bad);
  });

  it("reads the service's limits, its defaults for what is missing or wrong", () => {
    assert.deepEqual(parseShareLimits({ max_expiry_hours: 72, max_downloads: 5, max_upload_bytes: 1 }), { maxExpiryHours: 72, maxDownloads: 5 });
    assert.deepEqual(parseShareLimits({ max_expiry_hours: -1, max_downloads: "5" }), DEFAULT_SHARE_LIMITS);
    assert.deepEqual(parseShareLimits(undefined), DEFAULT_SHARE_LIMITS);
  });

  it("writes and reads a date-and-time field's value in local time", () => {
    assert.equal(localDateTimeValue(new Date(2026, 0, 5, 8, 7, 59).getTime()), "2026-01-05T08:07");
    assert.equal(parseLocalDateTime("2026-01-05T08:07"), new Date(2026, 0, 5, 8, 7).getTime());
    assert.equal(parseLocalDateTime("2026-01-05T08:07:30"), new Date(2026, 0, 5, 8, 7, 30).getTime());
  });
});
