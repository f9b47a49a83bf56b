import assert from "node:assert/strict";
import { DEFAULT_TIME_ZONE, timeZoneFromProfile, userTimeZone } from "./time-zone.ts";

describe("per-user time zone (m.tz)", () => {
  it("takes a known IANA zone from the profile field", () => {
    assert.equal(timeZoneFromProfile({ "m.tz": "America/Cayenne" }), "America/Cayenne");
  });
  it("falls back to Europe/Paris for a missing, malformed or unknown zone, or a failed lookup", async () => {
    assert.equal(DEFAULT_TIME_ZONE, "Europe/Paris");
    for (const body of [undefined, null, {}, { "m.tz": 3 }, { "m.tz": "Mars/Olympus" }]) assert.equal(timeZoneFromProfile(body), "Europe/Paris");
    assert.equal(await userTimeZone(() => Promise.reject(new Error("404")), "@a:x"), "Europe/Paris");
    assert.equal(await userTimeZone(() => Promise.resolve({ "m.tz": "Indian/Reunion" }), "@a:x"), "Indian/Reunion");
  });
});
