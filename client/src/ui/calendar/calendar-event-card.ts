// <ent-calendar-event>: a calendar event root in the timeline (msgtype fr.entente.event): summary,
// when (in the agent's m.tz), where, and "Rejoindre la réunion" when it has a video meeting; as
// the event's updates left it when the room's fold has it (event-card-store.ts), else the root. The
// button only announces the click (CALENDAR_JOIN_EVENT); the room's widget slot opens the
// meeting's widget, or adds it when missing and the agent may (core/widgets/event-meeting-join.ts).
import { LitElement, css, html, nothing } from "lit";
import { formatEventWhen, type EventCard } from "../../core/calendar/event-card-model.ts";
import { translator } from "../../core/i18n/translator.ts";
import { CALENDAR_JOIN_EVENT, type CalendarJoinDetail } from "../../core/widgets/event-meeting-join.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { agentTimeZone, onAgentTimeZone } from "./agent-time-zone.ts";
import { currentCard, onCards } from "./event-card-store.ts";

export class CalendarEventCard extends LitElement {
  static override properties = { event: { attribute: false }, i18n: { attribute: false }, zone: { state: true } };
  declare event: EventCard | undefined;
  declare i18n: I18n;
  declare zone: string;
  #unsubscribe: (() => void)[] = [];

  static override styles = [theme, css`
    :host { display: block; }
    section { border: 1px solid var(--border); border-left: 4px solid var(--accent); border-radius: var(--radius); padding: 0.5rem 0.75rem; background: #fff; max-width: 32rem; }
    h3 { margin: 0 0 0.25rem; font-size: 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.6rem; margin: 0 0 0.4rem; }
    dt { color: var(--muted); }
    dd { margin: 0; }
    .cancelled { color: var(--danger); }
  `];

  constructor() {
    super();
    this.event = undefined;
    this.i18n = { locale: "fr", t: translator("fr") };
    this.zone = agentTimeZone();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.zone = agentTimeZone();
    this.#unsubscribe = [onAgentTimeZone((tz) => (this.zone = tz)), onCards(() => this.requestUpdate())];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
  }

  #join(ev: EventCard): void {
    if (ev.video === null) return;
    const detail: CalendarJoinDetail = { uid: ev.uid, summary: ev.summary, video: ev.video };
    this.dispatchEvent(new CustomEvent<CalendarJoinDetail>(CALENDAR_JOIN_EVENT, { detail, bubbles: true, composed: true }));
  }

  override render(): unknown {
    const ev = this.event === undefined ? undefined : (currentCard(this.event.uid) ?? this.event);
    if (ev === undefined) return nothing;
    const { t, locale } = this.i18n;
    return html`<section role="group" aria-label=${t("calEventLabel", { summary: ev.summary })}>
      <h3>${ev.cancelled ? html`<span class="cancelled">❌ ${t("calEventCancelled")}</span> <s>${ev.summary}</s>` : html`📅 ${ev.summary}`}</h3>
      <dl>
        <dt>${t("calEventWhen")}</dt><dd class="when">${formatEventWhen(ev, locale, this.zone, t("calEventAllDay"))}${ev.recurring ? ` (${t("calEventRecurring")})` : ""}</dd>
        ${ev.location !== null && ev.location !== "" ? html`<dt>${t("calEventWhere")}</dt><dd class="where">${ev.location}</dd>` : nothing}
      </dl>
      ${ev.video !== null && !ev.cancelled ? html`<button class="primary join-event-meeting" @click=${() => this.#join(ev)}>${t("calEventJoin")}</button>` : nothing}
    </section>`;
  }
}

if (!customElements.get("ent-calendar-event")) customElements.define("ent-calendar-event", CalendarEventCard);
