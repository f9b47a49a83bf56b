import assert from "node:assert/strict";
import { typedAttendee } from "./event-form.ts";

describe("calendar form: an attendee typed in", () => {
  it("takes a Matrix user id, refuses a malformed one and a bot's (the calendar bot would invite it) (review R20)", () => {
    assert.equal(typedAttendee("@anne:agglo-b.fr"), "ok");
    assert.equal(typedAttendee("anne"), "invalid");
    assert.equal(typedAttendee("@entente-tasks:ville-a.fr"), "bot");
    assert.equal(typedAttendee("@entente-calendar:agglo-b.fr"), "bot");
  });
});
