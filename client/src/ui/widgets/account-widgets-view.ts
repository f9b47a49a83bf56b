// <ent-account-widgets>: "Mes widgets", in the app's top bar (reachable from anywhere, not only
// from a room). Lists the agent's account widgets (`m.widgets` account data, Element's shape, so
// they follow the agent to every device and to Element), adds and removes them, and runs one in
// the side panel or maximised with the same driver, sandbox and remembered approvals as room
// widgets (approvals keyed "account|id|origin"). Launched from a room, it acts in that room only;
// launched with no room open, it acts in none (core/widgets/widget-driver.ts).
import { LitElement, css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { ChatSession } from "../../core/chat-port.ts";
import { translator } from "../../core/i18n/translator.ts";
import { listAccountWidgets, withAccountWidget, withoutAccountWidget } from "../../core/widgets/account-widgets.ts";
import { cryptoRandom } from "../../core/widgets/meeting.ts";
import type { ListedWidget } from "../../core/widgets/room-widgets.ts";
import { customWidgetContent } from "../../core/widgets/widget-edit.ts";
import { widgetsOrigin, type WidgetsConfig } from "../../core/widgets/widgets-config.ts";
import { newWidgetId } from "../../../../widgets/jitsi/src/jitsi-widget.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { loadWidgetsConfig } from "./load-widgets-config.ts";
import type { WidgetConsent } from "./widget-consent.ts";
import type { WidgetFrame } from "./widget-frame.ts";

const idOf = (w: ListedWidget): string => (w.kind === "widget" ? w.widget.id : w.id);

export class AccountWidgetsView extends LitElement {
  static override properties = {
    session: { attribute: false }, i18n: { attribute: false }, roomId: { type: String }, version: { type: Number },
    open: { state: true }, notice: { state: true }, config: { state: true },
  };
  declare session: ChatSession;
  declare i18n: I18n;
  /** The room on screen ("" for none): where a widget launched now may act. */
  declare roomId: string;
  declare version: number;
  declare open: boolean;
  declare notice: string;
  declare config: WidgetsConfig | undefined;
  #running: { el: WidgetFrame; widgetId: string } | undefined;
  #consent: WidgetConsent | undefined;

  static override styles = [theme, css`
    :host { display: contents; }
    /* Under the top bar whatever its height (the shell sets --top-bar-bottom): a two-line bar
       (1280 px, French) must keep « Se déconnecter » uncovered. */
    aside { position: fixed; top: var(--top-bar-bottom, 2.8rem); right: 0; bottom: 0; width: min(28rem, 100vw); z-index: 6; box-sizing: border-box; overflow: auto;
      padding: 0.75rem; background: var(--surface); color: #1b1f24; border-left: 1px solid var(--border); box-shadow: -2px 0 8px #0002; display: flex; flex-direction: column; gap: 0.4rem; }
    aside[hidden] { display: none; }
    aside header { display: flex; justify-content: space-between; align-items: center; }
    h2 { font-size: 1.05rem; margin: 0; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { display: flex; gap: 0.4rem; align-items: center; padding: 0.3rem 0; border-bottom: 1px solid var(--border); }
    li .name { flex: 1; }
    .invalid { color: var(--danger); }
    form { display: grid; gap: 0.3rem; }
    #my-stage { display: contents; }
    #my-stage entente-widget-frame:not([maximised]) { flex: 1; min-height: 18rem; }
  `];

  constructor() {
    super();
    this.i18n = { locale: "fr", t: translator("fr") };
    this.roomId = "";
    this.version = 0;
    this.open = false;
    this.notice = "";
    this.config = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void loadWidgetsConfig().then((c) => (this.config = c));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  #stop(): void {
    this.#running?.el.remove();
    this.#running = undefined;
  }

  private async act(what: () => Promise<void>): Promise<void> {
    try {
      await what();
    } catch (e: unknown) {
      this.notice = e instanceof Error ? e.message : String(e);
    }
  }

  private async add(e: SubmitEvent, config: WidgetsConfig): Promise<void> {
    e.preventDefault();
    const port = this.session.widgets?.();
    if (port === undefined) return;
    const form = e.target as HTMLFormElement;
    const value = (n: string): string => (form.elements.namedItem(n) as HTMLInputElement).value;
    const made = customWidgetContent(value("my-widget-name"), value("my-widget-url"), [widgetsOrigin(config)]);
    if (!made.ok) {
      this.notice = this.i18n.t(made.reason);
      return;
    }
    await port.setAccountWidgets(withAccountWidget(port.accountWidgets(), newWidgetId(cryptoRandom), made.content, port.userId));
    form.reset();
    this.notice = this.i18n.t("widgetsAdded");
  }

  private async removeWidget(id: string): Promise<void> {
    const port = this.session.widgets?.();
    if (port === undefined) return;
    if (this.#running?.widgetId === id) this.#stop();
    await port.setAccountWidgets(withoutAccountWidget(port.accountWidgets(), id));
    this.notice = this.i18n.t("widgetsRemoved");
  }

  private async launch(id: string): Promise<void> {
    const port = this.session.widgets?.();
    const config = this.config;
    const stage = this.renderRoot.querySelector("#my-stage");
    const listed = port === undefined ? undefined : listAccountWidgets(port.accountWidgets(), port.userId).find((w) => idOf(w) === id);
    if (port === undefined || config === undefined || stage === null || listed?.kind !== "widget") return;
    this.#stop();
    const { createConsent, launchWidget } = await import("./widget-launch.ts");
    if (this.#consent === undefined) {
      this.#consent = createConsent();
      stage.append(this.#consent);
    }
    const el = launchWidget({
      port, config, widget: listed.widget, roomId: this.roomId === "" ? undefined : this.roomId, consent: this.#consent,
      language: this.i18n.locale, t: this.i18n.t, account: true,
    });
    el.addEventListener("widget-close", () => this.#stop());
    this.#running = { el, widgetId: id };
    stage.append(el);
  }

  override render(): unknown {
    const port = this.session.widgets?.();
    if (port === undefined) return nothing;
    const { t } = this.i18n;
    const widgets = listAccountWidgets(port.accountWidgets(), port.userId);
    // Removed on another device: its frame closes here too.
    if (this.#running !== undefined && !widgets.some((w) => idOf(w) === this.#running?.widgetId)) this.#stop();
    const config = this.config;
    const act = (f: () => Promise<void>) => () => void this.act(f);
    return html`<button id="my-widgets-toggle" aria-expanded=${this.open ? "true" : "false"} aria-controls="my-widgets-panel"
        @click=${() => { this.open = !this.open; if (!this.open) this.#stop(); }}>${t("widgetsMine")}</button>
      <aside id="my-widgets-panel" aria-labelledby="my-widgets-title" ?hidden=${!this.open}>
        <header><h2 id="my-widgets-title">${t("widgetsMineTitle")}</h2>
          <button id="my-widgets-close" @click=${() => { this.open = false; this.#stop(); }}>${t("widgetsClosePanel")}</button></header>
        <p class="muted">${t("widgetsMineHint")}</p>
        ${widgets.length === 0 ? html`<p>${t("widgetsMineNone")}</p>` : nothing}
        <ul>${repeat(widgets, idOf, (w) => html`<li data-widget-id=${idOf(w)}>
          ${w.kind === "widget"
            ? html`<span class="name">${w.widget.name}</span><button class="open" aria-label=${t("widgetsOpenNamed", { name: w.widget.name })} @click=${act(() => this.launch(w.widget.id))}>${t("widgetsOpen")}</button>`
            : html`<span class="name invalid">${w.id} : ${w.reason}</span>`}
          <button class="remove" aria-label=${t("widgetsRemoveNamed", { name: w.kind === "widget" ? w.widget.name : w.id })}
            @click=${act(() => this.removeWidget(idOf(w)))}>${t("widgetsRemove")}</button></li>`)}</ul>
        ${config !== undefined ? html`<form id="my-widget-add" @submit=${(e: SubmitEvent) => void this.act(() => this.add(e, config))}>
            <label for="my-widget-name">${t("widgetsName")}</label><input id="my-widget-name" name="my-widget-name" required maxlength="255" />
            <label for="my-widget-url">${t("widgetsUrl")}</label><input id="my-widget-url" name="my-widget-url" required />
            <button type="submit">${t("widgetsAddToMine")}</button></form>` : nothing}
        <p role="status">${this.notice}</p>
        <div id="my-stage"></div>
      </aside>`;
  }
}

if (!customElements.get("ent-account-widgets")) customElements.define("ent-account-widgets", AccountWidgetsView);
