// The approval dialogs, in the agent's language (French first): which capabilities a widget may use (ticked one by one,
// remembered by the driver), and consent before a widget learns who the agent is (OpenID).
import { LitElement, css, html } from "lit";
import type { Capability } from "matrix-widget-api";
import { labelCapability } from "../../core/widgets/capability-labels.ts";
import { translator, type Translate } from "../../core/i18n/translator.ts";

type Ask = { kind: "capabilities"; widgetName: string; requested: readonly Capability[]; done(s: ReadonlySet<Capability>): void }
  | { kind: "openid"; widgetName: string; userId: string; done(ok: boolean): void };

export class WidgetConsent extends LitElement {
  static override properties = { ask: { attribute: false } };
  declare ask: Ask | undefined;
  t: Translate = translator("fr");

  static override styles = css`
    dialog { max-width: 32rem; font: 1rem/1.4 system-ui, sans-serif; }
    .cap { margin: .25rem 0 .5rem; }
    label { display: block; }
    .raw { display: block; margin-inline-start: 1.6rem; color: #555; font-size: .8rem; overflow-wrap: anywhere; }
    .sensitive { font-weight: 600; }
    menu { display: flex; gap: .5rem; justify-content: flex-end; padding: 0; }
  `;

  constructor() {
    super();
    this.ask = undefined;
  }

  override updated(): void {
    const d = this.renderRoot.querySelector("dialog");
    if (d !== null && !d.open) d.showModal();
  }

  #finish(approve: boolean): void {
    const a = this.ask;
    this.ask = undefined;
    if (a?.kind === "openid") a.done(approve);
    if (a?.kind === "capabilities") {
      const ticked = [...this.renderRoot.querySelectorAll<HTMLInputElement>("input[type=checkbox]")].filter((i) => i.checked).map((i) => i.value);
      a.done(new Set(approve ? ticked : []));
    }
  }

  override render() {
    const a = this.ask;
    const t = this.t;
    if (a === undefined) return html``;
    if (a.kind === "openid") {
      return html`<dialog aria-labelledby="t" @cancel=${() => this.#finish(false)}>
        <h2 id="t">${t("consentOpenIdTitle", { name: a.widgetName })}</h2>
        <p>${t("consentOpenIdBody", { userId: a.userId })}</p>
        <menu><button id="openid-deny" @click=${() => this.#finish(false)}>${t("consentOpenIdDeny")}</button>
        <button id="openid-allow" @click=${() => this.#finish(true)}>${t("consentOpenIdAllow")}</button></menu></dialog>`;
    }
    return html`<dialog aria-labelledby="t" @cancel=${() => this.#finish(false)}>
      <h2 id="t">${t("consentTitle", { name: a.widgetName })}</h2>
      <p>${t("consentIntro")}</p>
      ${a.requested.map((c, i) => {
        const l = labelCapability(c, t);
        return html`<div class="cap"><label class=${l.sensitive ? "sensitive" : ""}><input type="checkbox" value=${c} checked aria-describedby=${`cap-raw-${i}`} /> ${l.label}</label>
          <small class="raw" id=${`cap-raw-${i}`}>${l.detail}</small></div>`;
      })}
      <p>${t("consentRemembered")}</p>
      <menu><button id="deny" @click=${() => this.#finish(false)}>${t("consentDenyAll")}</button>
      <button id="approve" @click=${() => this.#finish(true)}>${t("consentApprove")}</button></menu></dialog>`;
  }

  askCapabilities(widgetName: string, requested: readonly Capability[]): Promise<ReadonlySet<Capability>> {
    return new Promise((done) => (this.ask = { kind: "capabilities", widgetName, requested, done }));
  }

  askOpenId(widgetName: string, userId: string): Promise<boolean> {
    return new Promise((done) => (this.ask = { kind: "openid", widgetName, userId, done }));
  }
}

if (!customElements.get("entente-widget-consent")) customElements.define("entente-widget-consent", WidgetConsent);
