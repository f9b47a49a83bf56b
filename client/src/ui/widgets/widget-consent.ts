// The approval dialogs, in French: which capabilities a widget may use (ticked one by one,
// remembered by the driver), and consent before a widget learns who the agent is (OpenID).
import { LitElement, css, html } from "lit";
import type { Capability } from "matrix-widget-api";
import { labelCapability } from "../../core/widgets/capability-labels.ts";

type Ask = { kind: "capabilities"; widgetName: string; requested: readonly Capability[]; done(s: ReadonlySet<Capability>): void }
  | { kind: "openid"; widgetName: string; userId: string; done(ok: boolean): void };

export class WidgetConsent extends LitElement {
  static override properties = { ask: { attribute: false } };
  declare ask: Ask | undefined;

  static override styles = css`
    dialog { max-width: 32rem; font: 1rem/1.4 system-ui, sans-serif; }
    label { display: block; margin: .25rem 0; }
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
    if (a === undefined) return html``;
    if (a.kind === "openid") {
      return html`<dialog aria-labelledby="t" @cancel=${() => this.#finish(false)}>
        <h2 id="t">« ${a.widgetName} » demande votre identité</h2>
        <p>Le widget recevra un jeton prouvant que vous êtes ${a.userId}. Il ne pourra ni lire vos messages ni agir en votre nom.</p>
        <menu><button id="openid-deny" @click=${() => this.#finish(false)}>Refuser</button>
        <button id="openid-allow" @click=${() => this.#finish(true)}>Confirmer mon identité</button></menu></dialog>`;
    }
    return html`<dialog aria-labelledby="t" @cancel=${() => this.#finish(false)}>
      <h2 id="t">Autoriser « ${a.widgetName} » ?</h2>
      <p>Ce widget demande à pouvoir :</p>
      ${a.requested.map((c) => {
        const l = labelCapability(c);
        return html`<label class=${l.sensitive ? "sensitive" : ""}><input type="checkbox" value=${c} checked /> ${l.label}</label>`;
      })}
      <p>Votre choix est mémorisé pour ce widget.</p>
      <menu><button id="deny" @click=${() => this.#finish(false)}>Tout refuser</button>
      <button id="approve" @click=${() => this.#finish(true)}>Autoriser la sélection</button></menu></dialog>`;
  }

  askCapabilities(widgetName: string, requested: readonly Capability[]): Promise<ReadonlySet<Capability>> {
    return new Promise((done) => (this.ask = { kind: "capabilities", widgetName, requested, done }));
  }

  askOpenId(widgetName: string, userId: string): Promise<boolean> {
    return new Promise((done) => (this.ask = { kind: "openid", widgetName, userId, done }));
  }
}

if (!customElements.get("entente-widget-consent")) customElements.define("entente-widget-consent", WidgetConsent);
