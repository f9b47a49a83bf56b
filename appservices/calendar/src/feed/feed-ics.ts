// A binding's read-only ICS feed: one VCALENDAR with every event of the room calendar that is not
// cancelled (the same objects CalDAV gets, ics-build.ts), each time zone's VTIMEZONE once, and the
// calendar's name (X-WR-CALNAME, read by Thunderbird, Outlook, Google...). Pure.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.4
import ICAL from "ical.js";
import { buildIcs, type IcsSource } from "../ics/ics-build.ts";

type Component = InstanceType<typeof ICAL.Component>;

export function buildFeedIcs(name: string, events: readonly IcsSource[], now: number): string {
  const cal = new ICAL.Component("vcalendar");
  cal.addPropertyWithValue("prodid", "-//Entente//Calendar feed//FR");
  cal.addPropertyWithValue("version", "2.0");
  cal.addPropertyWithValue("x-wr-calname", name);
  const zones = new Set<string>();
  const vevents: Component[] = [];
  for (const ev of events) {
    const one = new ICAL.Component(ICAL.parse(buildIcs(ev, now)) as unknown[]);
    for (const tz of one.getAllSubcomponents("vtimezone")) {
      const id = String(tz.getFirstPropertyValue("tzid"));
      if (zones.has(id)) continue;
      zones.add(id);
      cal.addSubcomponent(tz);
    }
    vevents.push(...one.getAllSubcomponents("vevent"));
  }
  for (const v of vevents) cal.addSubcomponent(v);
  return cal.toString() + "\r\n";
}
