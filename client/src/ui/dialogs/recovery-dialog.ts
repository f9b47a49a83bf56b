// Secure backup, in plain words: at the first sign-in the recovery key to save; on a new device
// the field to type it and get the encrypted history back, or to verify this device with emoji
// from another one already signed in ("verify-own-device").
import { LitElement, css, html } from "lit";
import type { RecoveryState } from "../../core/chat-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export class RecoveryDialog extends LitElement {
  static override properties = { i18n: { attribute: false }, recovery: { attribute: false }, error: { type: String }, busy: { type: Boolean } };
  declare i18n: I18n;
  declare recovery: RecoveryState;
  declare error: string;
  declare busy: boolean;

  static override styles = [theme, css`
    section { background: #fffbeb; border: 1px solid #f59e0b; border-radius: 10px; padding: 1rem 1.25rem; margin: 1rem; display: grid; gap: 0.6rem; }
    h2 { margin: 0; font-size: 1.1rem; }
    code { font-size: 1.1rem; background: #fff; padding: 0.5rem; border-radius: var(--radius); word-spacing: 0.3rem; user-select: all; }
    form { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    input { flex: 1; min-width: 16rem; }
  `];

  constructor() {
    super();
    this.recovery = { kind: "pending" };
    this.error = "";
    this.busy = false;
  }

  private emit(name: string, detail: string | null): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  override render(): unknown {
    const { t } = this.i18n;
    const r = this.recovery;
    if (r.kind === "show-key") {
      return html`<section role="dialog" aria-labelledby="rk-title" aria-describedby="rk-intro">
        <h2 id="rk-title">${t("recoveryTitle")}</h2>
        <p id="rk-intro">${t("recoveryIntro")}</p>
        <code data-testid="recovery-key">${r.recoveryKey}</code>
        <div><button class="primary" @click=${() => this.emit("recovery-saved", null)}>${t("recoverySaved")}</button></div>
      </section>`;
    }
    if (r.kind === "ask-key") {
      return html`<section role="dialog" aria-labelledby="rs-title" aria-describedby="rs-intro">
        <h2 id="rs-title">${t("restoreTitle")}</h2>
        <p id="rs-intro">${t("restoreIntro")}</p>
        <form @submit=${(e: SubmitEvent) => { e.preventDefault(); this.emit("recovery-restore", String(new FormData(e.target as HTMLFormElement).get("key") ?? "")); }}>
          <label class="visually-hidden" for="rkey">${t("recoveryTitle")}</label>
          <input id="rkey" name="key" autocomplete="off" spellcheck="false" required />
          <button class="primary" type="submit" ?disabled=${this.busy}>${t("restore")}</button>
          <button type="button" @click=${() => this.emit("recovery-later", null)}>${t("restoreLater")}</button>
        </form>
        <div><button type="button" @click=${() => this.emit("verify-own-device", null)}>${t("verifyFromOtherDevice")}</button></div>
        <div role="alert" class="error">${this.error}</div>
      </section>`;
    }
    if (r.kind === "restoring") {
      return html`<section aria-busy="true"><p role="status">${t("historyRestoring")}</p></section>`;
    }
    return html``;
  }
}
customElements.define("ent-recovery", RecoveryDialog);
