import assert from "node:assert/strict";
import { allowedOn, CalendarModel } from "./calendar-model.ts";
import { buildCalendarBinding, buildEventRsvp, buildEventUpdate, type JsonObject } from "./protocol.ts";
import { ANCHOR, paris, raw, rootEvent } from "./test-events.ts";

describe("calendar widget: the model", () => {
  it("folds what it was given with the binding's anchor and the room's power levels; state and duplicates handled", () => {
    const m = new CalendarModel();
    const root = rootEvent("Commission", { series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T200000") }, overrides: [] });
    const other = raw("m.room.message", { msgtype: "fr.entente.event", body: "x", "fr.entente.event": { version: 1, uid: "u", summary: "Ailleurs", calendar: [{ dtstart: paris("20261020T180000"), dtend: paris("20261020T190000") }] }, "m.relates_to": { rel_type: "m.reference", event_id: "$other-anchor" } });
    assert.equal(m.add(root), true);
    assert.equal(m.add(root), false, "a duplicate changes nothing");
    assert.equal(m.add(raw("m.room.message", { msgtype: "m.text", body: "bonjour" })), false);
    m.add(other);
    assert.equal(m.view().binding, undefined);
    assert.equal(m.view().events.size, 2, "no binding yet: any anchor");
    m.add({ ...raw(CALENDAR_STATE_TYPE, buildCalendarBinding({ anchor: ANCHOR, name: "Agenda" })), state_key: "agenda" });
    assert.equal(m.view().binding?.anchor, ANCHOR);
    assert.deepEqual([...m.view().events.values()].map((e) => e.summary), ["Commission"]);
    // Bob (level 0) cancels Alice's event: refused at the default cancel level 50, accepted at 50.
    const rootId = String(root["event_id"]);
    m.add(raw("fr.entente.event.update", buildEventUpdate({ root: rootId, clock: 1, cancel: true }), "@bob:agglo-b.fr"));
    m.add(raw("fr.entente.event.rsvp", buildEventRsvp({ root: rootId, status: "accepted" }), "@bob:agglo-b.fr"));
    assert.equal(m.view().events.get(rootId)?.cancelled, false);
    const ev = m.view().events.get(rootId)!;
    assert.deepEqual(allowedOn(m.view(), ev, "@bob:agglo-b.fr"), { edit: true, cancel: false }, "the widget offers what the fold accepts");
    assert.deepEqual(allowedOn(m.view(), ev, "@alice:ville-a.fr"), { edit: true, cancel: true });
    assert.deepEqual(m.view().events.get(rootId)?.rsvps, [{ userId: "@bob:agglo-b.fr", status: "accepted" }]);
    m.add({ ...raw("m.room.power_levels", { users: { "@bob:agglo-b.fr": 50 } }), state_key: "" });
    assert.equal(m.view().events.get(rootId)?.cancelled, true);
    assert.equal(m.view().maxClock, 1);
  });

  it("names the room's members as the task board does: two councils' « agent1 » told apart by server, the id for a stranger", () => {
    const m = new CalendarModel();
    const member = (userId: string, content: JsonObject): Record<string, unknown> => ({ ...raw("m.room.member", content, userId), state_key: userId });
    assert.equal(m.add(member("@agent1:ville-a.fr", { membership: "join", displayname: "agent1" })), true);
    m.add(member("@agent1:agglo-b.fr", { membership: "join", displayname: "agent1" }));
    m.add(member("@marie:ville-a.fr", { membership: "join", displayname: "Marie Dupont" }));
    m.add(member("@nodisplay:ville-a.fr", { membership: "join" }));
    assert.equal(m.memberName("@agent1:ville-a.fr"), "agent1 (ville-a.fr)");
    assert.equal(m.memberName("@agent1:agglo-b.fr"), "agent1 (agglo-b.fr)");
    assert.equal(m.memberName("@marie:ville-a.fr"), "Marie Dupont");
    assert.equal(m.memberName("@nodisplay:ville-a.fr"), "@nodisplay:ville-a.fr");
    assert.equal(m.memberName("mailto:secretariat@ville-a.fr"), "mailto:secretariat@ville-a.fr", "an organiser from CalDAV, as written");
    // Marie renames herself, agglo-b's agent1 leaves: the other agent1 needs no server any more.
    m.add(member("@marie:ville-a.fr", { membership: "join", displayname: "Marie D." }));
    m.add(member("@agent1:agglo-b.fr", { membership: "leave" }));
    assert.equal(m.memberName("@marie:ville-a.fr"), "Marie D.");
    assert.equal(m.memberName("@agent1:ville-a.fr"), "agent1");
    assert.equal(m.view().events.size, 0, "members are not calendar events");
  });

  it("keeps a member's name when an older member event arrives after the newer one (the invite fed after the join's state)", () => {
    const m = new CalendarModel();
    const member = (userId: string, content: JsonObject, ts: number): Record<string, unknown> => ({ ...raw("m.room.member", content, "@alice:ville-a.fr"), state_key: userId, origin_server_ts: ts });
    m.add(member("@bob:agglo-b.fr", { membership: "join", displayname: "Bob Martin" }, 2_000));
    assert.equal(m.add(member("@bob:agglo-b.fr", { membership: "invite" }, 1_000)), false, "older: not taken");
    assert.equal(m.memberName("@bob:agglo-b.fr"), "Bob Martin");
    m.add(member("@bob:agglo-b.fr", { membership: "join", displayname: "Bob M." }, 3_000));
    assert.equal(m.memberName("@bob:agglo-b.fr"), "Bob M.", "a newer one is");
  });

  it("offers the people of the room, bots left out, and says when the agent may not invite from outside it (review R12)", () => {
    const m = new CalendarModel();
    for (const [id, name, membership] of [["@zoe:ville-a.fr", "Zoé", "join"], ["@entente-calendar:ville-a.fr", "Agenda", "join"], ["@anne:agglo-b.fr", "Anne", "invite"]] as const) {
      m.add({ ...raw("m.room.member", { membership, displayname: name }, id), state_key: id });
    }
    assert.deepEqual(m.people().map((p) => p.label), ["Anne", "Zoé"]);
    assert.equal(m.inviteLevelAbove("@zoe:ville-a.fr"), undefined, "invite level 0 by default");
    m.add({ ...raw("m.room.power_levels", { invite: 50, users: { "@anne:agglo-b.fr": 50 } }), state_key: "" });
    assert.equal(m.inviteLevelAbove("@zoe:ville-a.fr"), 50);
    assert.equal(m.inviteLevelAbove("@anne:agglo-b.fr"), undefined);
  });
});

const CALENDAR_STATE_TYPE = "fr.entente.calendar";
