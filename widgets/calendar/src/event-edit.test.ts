import assert from "node:assert/strict";
import { answersFor, originalRule, untilOf, blankDraft, cancelOccurrenceContent, draftFrom, draftSeries, editOccurrenceContent, editSeriesContent, newEventContent, newUid, rsvpContent, type EventDraft } from "./event-edit.ts";
import { expandOccurrences } from "./occurrences.ts";
import { parseEventRoot, parseEventRsvp, parseEventUpdate } from "./protocol.ts";
import { fold, paris, raw, rootEvent } from "./test-events.ts";
import { instantOfValue } from "./zoned-time.ts";

const PARIS = "Europe/Paris";
const draft = (d: Partial<EventDraft>): EventDraft => ({ ...blankDraft(instantOfValue(PARIS, "20261020T180000"), PARIS), summary: "Commission", ...d });

describe("calendar widget: writing events", () => {
  it("turns the form into a series in the agent's zone, with a UTC UNTIL at the end of that local day", () => {
    const d = draft({ repeat: "weekly", until: "2026-11-10" });
    assert.deepEqual([d.startDate, d.startTime, d.endTime], ["2026-10-20", "18:00", "19:00"]);
    assert.deepEqual(draftSeries(d, PARIS), { ok: true, series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T190000"), rrule: "FREQ=WEEKLY;UNTIL=20261110T225959Z" } });
    assert.deepEqual(draftSeries(draft({ allDay: true, endDate: "2026-10-21", repeat: "monthly" }), PARIS), { ok: true, series: { dtstart: { date: "20261020" }, dtend: { date: "20261022" }, rrule: "FREQ=MONTHLY" } });
    // Typed in Cayenne (UTC-3, no DST), stored in Paris: 10:00 Cayenne = 14:00 Paris in December.
    assert.deepEqual(draftSeries(draft({ startDate: "2026-12-07", endDate: "2026-12-07", startTime: "10:00", endTime: "11:30" }), "America/Cayenne", undefined, PARIS), { ok: true, series: { dtstart: paris("20261207T140000"), dtend: paris("20261207T153000") } });
    assert.deepEqual(draftSeries(draft({ summary: "  " }), PARIS), { ok: false, problem: "summary" });
    assert.deepEqual(draftSeries(draft({ endTime: "17:00" }), PARIS), { ok: false, problem: "order" });
    assert.deepEqual(draftSeries(draft({ startDate: "2026-13-01" }), PARIS), { ok: false, problem: "date" });
    assert.deepEqual(draftSeries(draft({ repeat: "weekly", until: "2026-10-01" }), PARIS), { ok: false, problem: "until" });
  });

  it("writes roots, per-occurrence overrides, EXDATEs and RSVPs the protocol parses and folds back", () => {
    const d = draft({ repeat: "weekly", location: "Salle du conseil", video: true });
    const check = draftSeries(d, PARIS);
    assert.ok(check.ok);
    const uid = newUid(() => 0.5, "ville-a.fr");
    assert.match(uid, /^[a-z0-9]{20}@ville-a\.fr$/);
    const content = newEventContent(d, check.series, { anchor: "$anchor", uid, organizer: "@alice:ville-a.fr" });
    const parsed = parseEventRoot(content);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    assert.equal(content["body"], "📅 Commission — mar. 20 oct. 2026 18:00–19:00 (hebdomadaire)");
    assert.deepEqual(parsed.value.fields.video, { kind: "jitsi" });
    const root = raw("m.room.message", content);
    const rootId = String(root["event_id"]);
    const ev = fold([root]).get(rootId)!;
    const range = { from: "20261019", to: "20261102", tz: PARIS };
    const [first, second] = expandOccurrences([ev], range);
    assert.ok(first !== undefined && second !== undefined);
    const moved = draftSeries(draft({ startDate: "2026-10-28", startTime: "09:00", endDate: "2026-10-28", endTime: "10:00" }), PARIS);
    assert.ok(moved.ok);
    const edit = editOccurrenceContent(second, { ...draftFrom(second, PARIS), summary: "Commission (déplacée)" }, moved.series, 0);
    // Each action starts from the latest fold (`calendar` is one field: last writer wins).
    const afterEdit = fold([root, raw("fr.entente.event.update", edit)]).get(rootId)!;
    const cancel = cancelOccurrenceContent(expandOccurrences([afterEdit], range)[0]!, afterEdit.clock);
    const answer = rsvpContent(second, "tentative", "occurrence");
    const series = rsvpContent(second, "accepted");
    for (const u of [edit, cancel]) assert.ok(parseEventUpdate(u).ok);
    const parsedAnswer = parseEventRsvp(answer);
    assert.deepEqual(parsedAnswer.ok ? parsedAnswer.value : parsedAnswer.reason, { version: 1, root: rootId, status: "tentative", recurrenceId: paris("20261027T180000") });
    assert.deepEqual(first.recurrenceId, paris("20261020T180000"));
    const after = fold([root, raw("fr.entente.event.update", edit), raw("fr.entente.event.update", cancel), raw("fr.entente.event.rsvp", answer, "@bob:agglo-b.fr"), raw("fr.entente.event.rsvp", series, "@bob:agglo-b.fr")]).get(rootId)!;
    const occ = expandOccurrences([after], range);
    assert.deepEqual(occ.map((o) => [o.summary, o.recurrenceId]), [["Commission (déplacée)", paris("20261027T180000")]]);
    assert.deepEqual(answersFor(occ[0]!).map((a) => [a.userId, a.status]), [["@alice:ville-a.fr", undefined], ["@bob:agglo-b.fr", "tentative"]]);
    // Changing the series keeps its exception and its moved occurrence.
    const longer = draftSeries(draft({ repeat: "weekly", endTime: "20:30" }), PARIS);
    assert.ok(longer.ok);
    const edited = fold([root, raw("fr.entente.event.update", edit), raw("fr.entente.event.update", cancel), raw("fr.entente.event.update", editSeriesContent(after, draft({ repeat: "weekly", summary: "Commission travaux" }), longer.series, after.clock))]).get(rootId)!;
    assert.equal(edited.summary, "Commission travaux");
    assert.equal(edited.calendar.overrides.length, 1);
    assert.deepEqual(edited.calendar.series.exdate, [paris("20261020T180000")]);
    assert.deepEqual(expandOccurrences([edited], { ...range, to: "20261110" }).map((o) => o.summary), ["Commission (déplacée)", "Commission travaux"]);
  });

  it("invites the chosen people: the organizer first, each mentioned; an edit adds and removes them, unchanged lists are not rewritten", () => {
    const d = draft({ attendees: ["@bob:agglo-b.fr", "@alice:ville-a.fr", "@carol:ville-a.fr"] });
    const check = draftSeries(d, PARIS);
    assert.ok(check.ok);
    const content = newEventContent(d, check.series, { anchor: "$anchor", uid: "u1@ville-a.fr", organizer: "@alice:ville-a.fr" });
    const parsed = parseEventRoot(content);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.fields.attendees, [{ id: "@alice:ville-a.fr" }, { id: "@bob:agglo-b.fr" }, { id: "@carol:ville-a.fr" }]);
    assert.deepEqual(content["m.mentions"], { user_ids: ["@alice:ville-a.fr", "@bob:agglo-b.fr", "@carol:ville-a.fr"] });
    const root = raw("m.room.message", content);
    const ev = fold([root]).get(String(root["event_id"]))!;
    const [o] = expandOccurrences([ev], { from: "20261019", to: "20261026", tz: PARIS });
    const form = draftFrom(o!, PARIS, "series");
    assert.deepEqual(form.attendees, ["@bob:agglo-b.fr", "@carol:ville-a.fr"], "the organizer is not listed in the form");
    const same = editSeriesContent(ev, { ...form, summary: "Commission bis" }, check.series, ev.clock);
    assert.equal((same["set"] as Record<string, unknown>)["attendees"], undefined, "attendees unchanged: not rewritten (last writer wins per field)");
    const changed = editSeriesContent(ev, { ...form, attendees: ["@carol:ville-a.fr", "@dave:agglo-b.fr"] }, check.series, ev.clock);
    assert.deepEqual((changed["set"] as Record<string, unknown>)["attendees"], [{ id: "@alice:ville-a.fr" }, { id: "@carol:ville-a.fr" }, { id: "@dave:agglo-b.fr" }]);
    const after = fold([root, raw("fr.entente.event.update", changed)]).get(String(root["event_id"]))!;
    assert.deepEqual(after.attendees.map((a) => a.id), ["@alice:ville-a.fr", "@carol:ville-a.fr", "@dave:agglo-b.fr"]);
  });

  it("fills the form from an all-day occurrence with its last day, not DTEND", () => {
    const ev = fold([rootEvent("Fête", { series: { dtstart: { date: "20261024" }, dtend: { date: "20261026" } }, overrides: [] })]);
    const [o] = expandOccurrences(ev.values(), { from: "20261019", to: "20261026", tz: PARIS });
    const d = draftFrom(o!, PARIS);
    assert.deepEqual([d.allDay, d.startDate, d.endDate], [true, "2026-10-24", "2026-10-25"]);
  });

  it("edits a whole series from any occurrence without moving its start, keeping rules the form cannot show", () => {
    const root = rootEvent("Permanence", { series: { dtstart: paris("20261019T090000"), dtend: paris("20261019T120000"), rrule: "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6" }, overrides: [] });
    const ev = fold([root]).get(String(root["event_id"]))!;
    const occ = expandOccurrences([ev], { from: "20261019", to: "20261102", tz: PARIS });
    assert.deepEqual(occ.map((o) => o.recurrenceId), ["20261019", "20261021", "20261026", "20261028"].map((d) => paris(`${d}T090000`)));
    const third = occ[2]!;
    const d = draftFrom(third, PARIS, "series");
    assert.deepEqual([d.startDate, d.startTime, d.endTime, d.repeat, d.until], ["2026-10-19", "09:00", "12:00", "custom", ""]);
    const original = originalRule(ev, PARIS);
    const check = draftSeries({ ...d, startTime: "10:00" }, PARIS, original);
    assert.deepEqual(check, { ok: true, series: { dtstart: paris("20261019T100000"), dtend: paris("20261019T120000"), rrule: "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6" } });
    assert.deepEqual(draftSeries({ ...d, repeat: "weekly" }, PARIS, original), { ok: true, series: { dtstart: paris("20261019T090000"), dtend: paris("20261019T120000"), rrule: "FREQ=WEEKLY" } });
    assert.equal(draftFrom(third, PARIS).startDate, "2026-10-26", "one occurrence: its own date");
    // UNTIL written by the form reads back as the same local day.
    const until = draftSeries(draft({ repeat: "weekly", until: "2026-11-10" }), PARIS);
    assert.ok(until.ok);
    assert.equal(untilOf(until.series.rrule, PARIS), "2026-11-10");
    assert.equal(untilOf("FREQ=WEEKLY;UNTIL=20261110", PARIS), "2026-11-10");
  });
});
