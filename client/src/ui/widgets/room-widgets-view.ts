// <ent-room-widgets>: the widget slot of the room header. Buttons (the room's widgets, "Démarrer
// une réunion" / "Rejoindre la réunion"), the side panel listing the room's widgets with add and
// remove (when the power level allows), and the stage where widget frames run: in the panel,
// maximised, or small on top of another room while they ask to stay on screen (a meeting).
// Frames are appended once to #stage and only restyled afterwards (stage-model.ts says why);
// the hosting code is imported on the first opening (widget-launch.ts).
import { LitElement, css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { ChatSession } from "../../core/chat-port.ts";
import { cryptoRandom, planMeeting, roomMeeting } from "../../core/widgets/meeting.ts";
import { canManageWidgets, roomWidgets, type ListedWidget } from "../../core/widgets/room-widgets.ts";
import type { RoomWidgetsPort } from "../../core/widgets/room-widgets-port.ts";
import { frameKey, frameModes } from "../../core/widgets/stage-model.ts";
import { customWidgetContent, REMOVED_WIDGET_CONTENT } from "../../core/widgets/widget-edit.ts";
import { jitsiWrapperUrl, widgetsOrigin, type WidgetsConfig } from "../../core/widgets/widgets-config.ts";
import { newWidgetId } from "../../../../widgets/jitsi/src/jitsi-widget.ts";
import { ROOM_WIDGET_EVENT } from "../../../../widgets/kit/src/widget-state.ts";
import { roomHash } from "../app/route.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { translator } from "../../core/i18n/translator.ts";
import { CALENDAR_JOIN_EVENT, joinEventMeeting, type CalendarJoinDetail } from "../../core/widgets/event-meeting-join.ts";
import { loadWidgetsConfig } from "./load-widgets-config.ts";
import { setAgentTimeZone } from "../calendar/agent-time-zone.ts";
import { publishCards } from "../calendar/event-card-store.ts";
import { currentCards } from "../../core/calendar/event-card-model.ts";
import { theme } from "../shared/theme.ts";
import type { WidgetConsent } from "./widget-consent.ts";
import type { WidgetFrame } from "./widget-frame.ts";

interface Running { el: WidgetFrame; roomId: string; widgetId: string }

const idOf = (w: ListedWidget): string => (w.kind === "widget" ? w.widget.id : w.id);

export class RoomWidgetsView extends LitElement {
  static override properties = {
    session: { attribute: false }, roomId: { type: String }, version: { type: Number }, i18n: { attribute: false },
    panelOpen: { state: true }, openKey: { state: true }, notice: { state: true }, config: { state: true },
  };
  declare session: ChatSession;
  declare roomId: string;
  declare version: number;
  declare i18n: I18n;
  declare panelOpen: boolean;
  declare openKey: string | undefined;
  declare notice: string;
  declare config: WidgetsConfig | undefined;
  readonly #running = new Map<string, Running>();
  #consent: WidgetConsent | undefined;
  #returnKey: string | undefined;
  #unsubscribe: (() => void) | undefined;
  #launching = false;

  static override styles = [theme, css`
    :host { display: contents; }
    .bar { display: flex; gap: 0.4rem; align-items: center; }
    aside { position: fixed; top: var(--widgets-panel-top, 0); right: 0; bottom: 0; width: min(26rem, 100vw); z-index: 5; box-sizing: border-box; overflow: auto;
      padding: 0.75rem; background: var(--surface); border-left: 1px solid var(--border); box-shadow: -2px 0 8px #0002; }
    /* A frame below the panel: the panel's edge shows where its own scrolling ends. */
    aside.with-frame { bottom: 55vh; border-bottom: 2px solid var(--border); }
    details summary { cursor: pointer; padding: 0.3rem 0; }
    aside header { display: flex; justify-content: space-between; align-items: center; }
    h2 { font-size: 1.05rem; margin: 0; }
    ul { list-style: none; padding: 0; margin: 0.5rem 0; }
    li { display: flex; gap: 0.4rem; align-items: center; padding: 0.3rem 0; border-bottom: 1px solid var(--border); }
    li .name { flex: 1; }
    .invalid { color: var(--danger); }
    form { display: grid; gap: 0.3rem; margin-top: 0.5rem; }
    #stage entente-widget-frame:not([pip]):not([maximised]) { position: fixed; right: 0; bottom: 0; width: min(26rem, 100vw); height: 55vh;
      min-height: 0; z-index: 5; background: var(--surface); border-left: 1px solid var(--border); }
    /* Narrow windows (800 px: a room pane of ~32rem): a 26rem column would leave a strip of
       timeline with its lines cut under it. The panel and its frame cover the whole room pane
       below its header instead, until « Fermer le panneau ». */
    @media (max-width: 60rem) {
      aside, #stage entente-widget-frame:not([pip]):not([maximised]) { left: var(--widgets-panel-left, 0); width: auto; box-shadow: none; }
    }
  `];

  constructor() {
    super();
    this.version = 0;
    this.panelOpen = false;
    this.openKey = undefined;
    this.notice = "";
    this.config = undefined;
    this.i18n = { locale: "fr", t: translator("fr") };
  }

  private port(): RoomWidgetsPort | undefined {
    return this.session.widgets?.();
  }

  // A calendar event card in the timeline asks for its meeting (calendar-meeting-join.ts).
  readonly #onCalendarJoin = (e: Event): void => {
    const port = this.port();
    const config = this.config;
    const detail = (e as CustomEvent<CalendarJoinDetail>).detail;
    if (port === undefined || config === undefined) return;
    void this.act(async () => {
      const out = await joinEventMeeting(port, config, { ...detail, roomId: this.roomId });
      if (out.kind === "open") this.open(out.widgetId);
      else {
        this.panelOpen = true;
        this.notice = this.i18n.t(out.reason);
      }
    });
  };

  /**
   * The room header's box, measured again whenever it changes size (a window resized, a page
   * zoomed, a tablet turned: the narrow layout's panel starts at its left edge, below it).
   */
  readonly #headerSize = new ResizeObserver(() => this.placePanel());
  readonly #onResize = (): void => this.placePanel();

  override connectedCallback(): void {
    super.connectedCallback();
    void loadWidgetsConfig().then((c) => (this.config = c));
    window.addEventListener(CALENDAR_JOIN_EVENT, this.#onCalendarJoin);
    window.addEventListener("resize", this.#onResize);
    if (this.parentElement !== null) this.#headerSize.observe(this.parentElement);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#headerSize.disconnect();
    window.removeEventListener("resize", this.#onResize);
    window.removeEventListener(CALENDAR_JOIN_EVENT, this.#onCalendarJoin);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const r of this.#running.values()) r.el.remove();
    this.#running.clear();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // The timeline's calendar cards show their events as updates left them: folded again when the
    // room or its timeline changed, not when only the panel did (opening a widget: the timeline
    // copy and the fold cost ~50 ms of the click at load 5-9, issue 13).
    const port = this.port();
    if (port !== undefined && (changed.has("version") || changed.has("roomId") || changed.has("session"))) publishCards(currentCards(port.timeline(this.roomId), port.powerLevels(this.roomId)));
    // The panel lists widgets to open: fetch the hosting code now, not on the click on « Ouvrir »
    // (200-300 ms of the board's opening on this machine were this import, issue 13).
    if (changed.has("panelOpen") && this.panelOpen) void import("./widget-launch.ts").catch(() => undefined);
    if (changed.has("roomId")) {
      const back = this.#returnKey;
      this.#returnKey = undefined;
      this.openKey = back !== undefined && this.#running.get(back)?.roomId === this.roomId ? back : undefined;
      this.notice = "";
    }
    if (this.#unsubscribe === undefined) {
      // The agent's m.tz, once per session, for the calendar event cards of the timeline.
      void this.port()?.myTimeZone().then(setAgentTimeZone);
      // Live events go to the running widgets of the event's room; ClientWidgetApi filters by capability.
      this.#unsubscribe = this.port()?.onLiveEvent((e) => {
        for (const r of this.#running.values()) if (r.roomId === e.room_id) r.el.hosted?.feed(e);
      });
    }
  }

  private widgets(port: RoomWidgetsPort, roomId: string): ListedWidget[] {
    return roomWidgets(port.stateEvents(roomId, ROOM_WIDGET_EVENT, undefined));
  }

  private open(widgetId: string): void {
    this.panelOpen = true;
    this.openKey = frameKey(this.roomId, widgetId);
  }

  private async act(what: () => Promise<void>): Promise<void> {
    try {
      await what();
    } catch (e: unknown) {
      this.notice = e instanceof Error ? e.message : String(e);
    }
  }

  private async startMeeting(port: RoomWidgetsPort, config: WidgetsConfig, domain: string): Promise<void> {
    const plan = planMeeting({ domain, wrapperUrl: jitsiWrapperUrl(config), roomName: port.roomName(this.roomId), random: cryptoRandom });
    const roomId = this.roomId;
    await port.sendStateEvent(roomId, ROOM_WIDGET_EVENT, { ...plan.content }, plan.widgetId);
    await port.sendEvent(roomId, "m.room.message", { ...plan.message });
    this.open(plan.widgetId);
  }

  private async add(e: SubmitEvent, port: RoomWidgetsPort, config: WidgetsConfig): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (n: string): string => (form.elements.namedItem(n) as HTMLInputElement).value;
    const made = customWidgetContent(value("widget-name"), value("widget-url"), [widgetsOrigin(config)]);
    if (!made.ok) {
      this.notice = this.i18n.t(made.reason);
      return;
    }
    await port.sendStateEvent(this.roomId, ROOM_WIDGET_EVENT, { ...made.content }, newWidgetId(cryptoRandom));
    form.reset();
    this.notice = this.i18n.t("widgetsAdded");
  }

  private addForm(port: RoomWidgetsPort, config: WidgetsConfig): unknown {
    const { t } = this.i18n;
    return html`<form id="widget-add" @submit=${(e: SubmitEvent) => void this.act(() => this.add(e, port, config))}>
      <label for="widget-name">${t("widgetsName")}</label><input id="widget-name" name="widget-name" required maxlength="255" />
      <label for="widget-url">${t("widgetsUrl")}</label><input id="widget-url" name="widget-url" required />
      <button type="submit">${t("widgetsAddToRoom")}</button></form>`;
  }

  private onStage(e: Event): void {
    const key = [...this.#running].find(([, r]) => r.el === e.target)?.[0];
    if (key === undefined) return;
    if (e.type === "widget-close") {
      this.#running.get(key)?.el.remove();
      this.#running.delete(key);
      if (this.openKey === key) this.openKey = undefined;
    } else if (e.type === "widget-return") {
      const r = this.#running.get(key);
      if (r === undefined) return;
      this.#returnKey = key;
      this.panelOpen = true;
      location.hash = roomHash(r.roomId);
    }
    this.requestUpdate();
  }

  override render(): unknown {
    const port = this.port();
    if (port === undefined) return nothing;
    const widgets = this.widgets(port, this.roomId);
    const canManage = canManageWidgets(port.powerLevels(this.roomId), port.userId, port.creators(this.roomId));
    const meeting = roomMeeting(widgets);
    const domain = this.config?.jitsiDomains[0];
    const config = this.config;
    const act = (f: () => Promise<void>) => () => void this.act(f);
    const withFrame = this.openKey !== undefined && this.#running.has(this.openKey);
    const { t } = this.i18n;
    return html`<span class="bar">
        <button id="widgets-toggle" aria-expanded=${this.panelOpen ? "true" : "false"} aria-controls="widgets-panel"
          @click=${() => (this.panelOpen = !this.panelOpen)}>${t("widgetsButton", { count: widgets.length })}</button>
        ${meeting !== undefined
          ? html`<button id="join-meeting" @click=${() => this.open(meeting.widget.id)}>${t("widgetsJoinMeeting")}</button>`
          : canManage && domain !== undefined && config !== undefined
            ? html`<button id="start-meeting" @click=${act(() => this.startMeeting(port, config, domain))}>${t("widgetsStartMeeting")}</button>`
            : nothing}
      </span>
      ${this.panelOpen ? html`<aside id="widgets-panel" class=${withFrame ? "with-frame" : ""} aria-labelledby="widgets-title">
        <header><h2 id="widgets-title">${t("widgetsRoomTitle")}</h2><button id="widgets-close" @click=${() => (this.panelOpen = false)}>${t("widgetsClosePanel")}</button></header>
        ${widgets.length === 0 ? html`<p>${t("widgetsNoneInRoom")}</p>` : nothing}
        <ul>${repeat(widgets, (w) => idOf(w), (w) => html`<li data-widget-id=${idOf(w)}>
          ${w.kind === "widget"
            ? html`<span class="name">${w.widget.name}</span><button class="open" aria-label=${t("widgetsOpenNamed", { name: w.widget.name })} @click=${() => this.open(w.widget.id)}>${t("widgetsOpen")}</button>`
            : html`<span class="name invalid">${w.id} : ${w.reason}</span>`}
          ${canManage ? html`<button class="remove" aria-label=${t("widgetsRemoveNamed", { name: w.kind === "widget" ? w.widget.name : w.id })}
            @click=${act(async () => { await port.sendStateEvent(this.roomId, ROOM_WIDGET_EVENT, { ...REMOVED_WIDGET_CONTENT }, idOf(w)); })}>${t("widgetsRemove")}</button>` : nothing}
        </li>`)}</ul>
        ${canManage && config !== undefined
          ? withFrame
            // With a frame below, the panel keeps ~45% of the height: the form folds behind its
            // title (keyboard: Enter or Space on it), instead of being cut off at the frame's edge.
            ? html`<details id="widget-add-more"><summary>${t("widgetsAddTitle")}</summary>${this.addForm(port, config)}</details>`
            : this.addForm(port, config)
          : withFrame ? nothing : html`<p class="muted">${t("widgetsNoPower")}</p>`}
        <p role="status">${this.notice}</p>
      </aside>` : nothing}
      <div id="stage" @widget-close=${(e: Event) => this.onStage(e)} @widget-return=${(e: Event) => this.onStage(e)}
        @always-on-screen=${() => this.requestUpdate()}></div>`;
  }

  override updated(): void {
    this.placePanel();
    void this.reconcile();
    this.tellPanel();
  }

  #toldOpen = false;

  /**
   * Tells the room (`widgets-panel`, detail: open or not) when the panel opens or closes, so that
   * on wide screens it keeps its timeline and composer beside the panel's column, not under it.
   */
  private tellPanel(): void {
    if (this.panelOpen === this.#toldOpen) return;
    this.#toldOpen = this.panelOpen;
    this.dispatchEvent(new CustomEvent<boolean>("widgets-panel", { detail: this.panelOpen, bubbles: true, composed: true }));
  }

  /**
   * The panel opens below the room header, never over its buttons (the header wraps on narrow
   * screens); on narrow ones it starts at the room pane's left edge (the header's).
   */
  private placePanel(): void {
    const header = this.parentElement?.getBoundingClientRect();
    if (header === undefined) return;
    this.style.setProperty("--widgets-panel-top", `${Math.max(0, Math.round(header.bottom))}px`);
    this.style.setProperty("--widgets-panel-left", `${Math.max(0, Math.round(header.left))}px`);
  }

  /** Starts the frame the panel should show, and restyles or closes the others. */
  private async reconcile(): Promise<void> {
    const port = this.port();
    const stage = this.renderRoot.querySelector("#stage");
    if (port === undefined || stage === null || this.config === undefined) return;
    const inRoom = (key: string): boolean => {
      const r = this.#running.get(key);
      return r !== undefined && this.widgets(port, r.roomId).some((w) => w.kind === "widget" && w.widget.id === r.widgetId);
    };
    const modes = frameModes([...this.#running].map(([key, r]) => ({ key, roomId: r.roomId, alwaysOnScreen: r.el.alwaysOnScreen })),
      { roomId: this.roomId, panelOpen: this.panelOpen, openKey: this.openKey }, inRoom);
    for (const [key, mode] of modes) {
      const r = this.#running.get(key);
      if (r === undefined) continue;
      if (mode === "close") {
        r.el.remove();
        this.#running.delete(key);
      } else {
        r.el.pip = mode === "pip";
      }
    }
    const open = this.openKey;
    if (!this.panelOpen || open === undefined || this.#running.has(open) || this.#launching) return;
    const listed = this.widgets(port, this.roomId).find((w) => w.kind === "widget" && frameKey(this.roomId, w.widget.id) === open);
    if (listed?.kind !== "widget") return; // not synced yet: the next render tries again
    this.#launching = true;
    try {
      const { createConsent, launchWidget } = await import("./widget-launch.ts");
      if (this.#consent === undefined) {
        this.#consent = createConsent();
        stage.append(this.#consent);
      }
      const el = launchWidget({ port, config: this.config, widget: listed.widget, roomId: this.roomId, consent: this.#consent, language: this.i18n.locale, t: this.i18n.t });
      this.#running.set(open, { el, roomId: this.roomId, widgetId: listed.widget.id });
      stage.append(el);
    } finally {
      this.#launching = false;
    }
    this.requestUpdate();
  }
}

if (!customElements.get("ent-room-widgets")) customElements.define("ent-room-widgets", RoomWidgetsView);
