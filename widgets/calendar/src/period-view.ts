// What the month and week views both take from the app: the occurrences to show, the focused day,
// today, the time zone, the language and its words, and whether the agent may create events.
import { LitElement } from "lit";
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import type { CalendarMessages } from "./messages.ts";
import type { Occurrence } from "./occurrences.ts";

export class PeriodView extends LitElement {
  static override properties = { occurrences: { attribute: false }, day: {}, today: {}, tz: {}, language: {}, m: { attribute: false }, writable: { type: Boolean } };
  declare occurrences: Occurrence[];
  declare day: string;
  declare today: string;
  declare tz: string;
  declare language: WidgetLanguage;
  declare m: CalendarMessages;
  declare writable: boolean;
}
