import assert from "node:assert/strict";
import { knownZone, zoneChoices } from "./time-zones.ts";

describe("time zones offered to an agent", () => {
  it("puts mainland France then the overseas territories first, then the others sorted, once each", () => {
    const c = zoneChoices(["UTC", "Europe/Berlin", "Europe/Paris", "America/Cayenne", "Asia/Tokyo"], undefined);
    assert.equal(c.french[0], "Europe/Paris");
    assert.ok(c.french.includes("Indian/Reunion") && c.french.includes("Pacific/Noumea") && c.french.includes("America/Cayenne"));
    assert.deepEqual(c.others, ["Asia/Tokyo", "Europe/Berlin", "UTC"]);
  });
  it("keeps the agent's current zone even when the browser's list lacks it", () => {
    assert.deepEqual(zoneChoices(["UTC"], "Etc/GMT+3").others, ["Etc/GMT+3", "UTC"]);
    assert.deepEqual(zoneChoices(["UTC"], "Europe/Paris").others, ["UTC"]);
  });
  it("tells a zone the runtime knows from a typo", () => {
    assert.equal(knownZone("Europe/Paris"), true);
    assert.equal(knownZone("Europe/Parris"), false);
  });
});
