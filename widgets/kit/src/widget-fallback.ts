// <entente-widget-fallback>: what a widget shows when it is opened outside a Matrix client or the
// client never answers, instead of a blank page or a stack trace.
import { LitElement, css, html } from "lit";
import { kitMessages } from "./messages.ts";
import type { WidgetLanguage } from "./widget-params.ts";

export class WidgetFallback extends LitElement {
  static override properties = { language: { type: String }, reason: { type: String } };
  declare language: WidgetLanguage;
  declare reason: string | undefined;

  static override styles = css`
    :host { display: block; font: 1rem/1.5 system-ui, sans-serif; padding: 2rem; max-width: 40rem; margin: auto; color: var(--entente-fg, #1b1b1b); }
    h1 { font-size: 1.25rem; }
    .reason { color: var(--entente-muted, #555); }
  `;

  constructor() {
    super();
    this.language = "fr";
    this.reason = undefined;
  }

  override render() {
    const m = kitMessages(this.language);
    if (this.reason !== undefined) {
      return html`<section role="alert"><h1>${m.failedTitle}</h1><p class="reason">${this.reason}</p></section>`;
    }
    return html`<section role="status"><h1>${m.outsideTitle}</h1><p>${m.outsideBody}</p><p>${m.outsideHint}</p></section>`;
  }
}

if (!customElements.get("entente-widget-fallback")) customElements.define("entente-widget-fallback", WidgetFallback);
