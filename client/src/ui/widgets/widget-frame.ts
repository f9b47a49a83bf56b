// <entente-widget-frame>: one widget in a sandboxed iframe, in the side panel or maximised, kept
// in a small always-on-screen view by the room view while it asks to stay visible. Refused widgets
// (unsafe URL, malformed state) render their reason and no iframe at all.
import { LitElement, css, html } from "lit";
import type { WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";
import type { FrameUrlResult } from "../../core/widgets/widget-frame-url.ts";
import type { EntenteWidgetDriver } from "../../core/widgets/widget-driver.ts";
import { WIDGET_SANDBOX, hostWidget, iframeAllow, type HostedWidget } from "../../core/widgets/widget-host.ts";
import { translator, type Translate } from "../../core/i18n/translator.ts";
import { theme } from "../shared/theme.ts";

export class WidgetFrame extends LitElement {
  static override properties = {
    maximised: { type: Boolean, reflect: true }, alwaysOnScreen: { type: Boolean, reflect: true, attribute: "always-on-screen" },
    pip: { type: Boolean, reflect: true }, closable: { type: Boolean },
  };
  declare maximised: boolean;
  declare alwaysOnScreen: boolean;
  /** Shown small, on top of another room (always-on-screen): offers the way back to its room. */
  declare pip: boolean;
  declare closable: boolean;
  widget: WidgetDefinition | undefined;
  /** The room of a room widget; undefined for an account widget. */
  roomId: string | undefined;
  frame: FrameUrlResult | undefined;
  driver: EntenteWidgetDriver | undefined;
  t: Translate = translator("fr");
  #hosted: HostedWidget | undefined;

  static override styles = [theme, css`
    :host { display: flex; flex-direction: column; min-height: 20rem; }
    :host([maximised]) { position: fixed; inset: 0; z-index: 10; background: Canvas; }
    :host([pip]:not([maximised])) { position: fixed; right: 1rem; bottom: 1rem; width: min(22rem, 90vw); height: 14rem; min-height: 0; z-index: 20; background: Canvas; border: 1px solid #888; box-shadow: 0 2px 12px #0004; }
    :host([pip]) iframe { min-height: 0; }
    header { display: flex; justify-content: space-between; align-items: center; gap: .5rem; padding: .3rem .5rem; background: #eef1f5; border-bottom: 1px solid var(--border); }
    header span { display: flex; gap: .4rem; }
    iframe { flex: 1; border: 0; width: 100%; min-height: 18rem; }
    .refused { color: #b00020; }
  `];

  constructor() {
    super();
    this.maximised = false;
    this.alwaysOnScreen = false;
    this.pip = false;
    this.closable = false;
  }

  override render() {
    const f = this.frame;
    const name = this.widget?.name ?? "";
    const t = this.t;
    if (f === undefined || this.widget === undefined) return html``;
    if (f.kind === "refused") return html`<p class="refused" role="alert" id="refusal">${t("widgetsRefused", { name, reason: f.reason })}</p>`;
    const say = (type: string): void => void this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
    return html`<header><strong>${name}</strong><span>
        ${this.pip ? html`<button id="return" @click=${() => say("widget-return")}>${t("widgetsReturnToRoom")}</button>` : ""}
        <button id="maximise" aria-label=${t(this.maximised ? "widgetsRestoreNamed" : "widgetsMaximiseNamed", { name })} @click=${() => (this.maximised = !this.maximised)}>${this.maximised ? t("widgetsRestore") : t("widgetsMaximise")}</button>
        ${this.closable ? html`<button id="close" aria-label=${t("widgetsCloseNamed", { name })} @click=${() => say("widget-close")}>${t("widgetsClose")}</button>` : ""}</span></header>
      <iframe title=${name} src=${f.url} sandbox=${WIDGET_SANDBOX} allow=${iframeAllow(this.widget)} referrerpolicy="no-referrer"></iframe>`;
  }

  override firstUpdated(): void {
    const iframe = this.renderRoot.querySelector("iframe");
    if (iframe === null || this.widget === undefined || this.driver === undefined || this.frame?.kind !== "ok") return;
    this.#hosted = hostWidget(iframe, this.widget, this.frame.url, this.roomId, this.driver, () => {
      this.alwaysOnScreen = this.#hosted?.alwaysOnScreen() ?? false;
      this.dispatchEvent(new CustomEvent("always-on-screen", { detail: this.alwaysOnScreen, bubbles: true, composed: true }));
    });
  }

  /** The hosting API, for the room view's hang-up button and tests. */
  get hosted(): HostedWidget | undefined {
    return this.#hosted;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hosted?.stop();
    this.#hosted = undefined;
  }
}

if (!customElements.get("entente-widget-frame")) customElements.define("entente-widget-frame", WidgetFrame);
