// <ent-verification>: emoji (SAS) verification in a modal <dialog> (focus kept inside, Escape
// cancels): a new sign-in of mine asking to be verified ("Nouvelle connexion à vérifier"), or
// another person; the 7 emoji with their names, then "They match" / "They don't match".
// Emits "verification-action" (accept, decline, match, mismatch, dismiss); the app calls the session.
import { LitElement, css, html, nothing } from "lit";
import type { VerificationView } from "../../core/verification-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export type VerificationAction = "accept" | "decline" | "match" | "mismatch" | "dismiss";

export class VerificationDialog extends LitElement {
  static override properties = { i18n: { attribute: false }, view: { attribute: false }, nameOf: { attribute: false } };
  declare i18n: I18n;
  declare view: VerificationView | undefined;
  declare nameOf: (userId: string) => string;

  static override styles = [theme, css`
    dialog { border: none; border-radius: 10px; padding: 1.5rem; width: min(34rem, 92vw); }
    h2 { margin: 0 0 0.5rem; font-size: 1.2rem; }
    ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.6rem; padding: 0; margin: 1rem 0; justify-content: center; }
    li { display: grid; justify-items: center; gap: 0.2rem; min-width: 4.2rem; }
    .emoji { font-size: 2.2rem; line-height: 1; }
    .name { font-size: 0.85rem; }
    .actions { display: flex; justify-content: flex-end; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.75rem; }
    .ok { color: #166534; }
  `];

  constructor() {
    super();
    this.view = undefined;
    this.nameOf = (u) => u;
  }

  override updated(): void {
    const d = this.renderRoot.querySelector("dialog");
    if (d === null) return;
    if (this.view !== undefined && !d.open) d.showModal();
    if (this.view === undefined && d.open) d.close();
  }

  private act(action: VerificationAction): void {
    this.dispatchEvent(new CustomEvent<VerificationAction>("verification-action", { detail: action, bubbles: true, composed: true }));
  }

  private heading(v: VerificationView): string {
    const { t } = this.i18n;
    const name = this.nameOf(v.otherUserId);
    if (v.self) return v.initiatedByMe ? t("verifyFromOtherDevice") : t("verifyNewLogin");
    return v.initiatedByMe ? t("verifyPerson", { name }) : t("verifyPersonIncoming", { name });
  }

  private emojiList(v: VerificationView): unknown {
    const { t, locale } = this.i18n;
    return html`<ol aria-label=${t("sasEmojiList")} data-testid="sas-emoji">
      ${(v.emoji ?? []).map((e) => html`<li><span class="emoji" aria-hidden="true">${e.emoji}</span><span class="name">${locale === "fr" ? e.fr : e.en}</span></li>`)}
    </ol>`;
  }

  private body(v: VerificationView): unknown {
    const { t } = this.i18n;
    const name = this.nameOf(v.otherUserId);
    const close = html`<div class="actions"><button class="primary" @click=${() => this.act("dismiss")}>${t("close")}</button></div>`;
    switch (v.stage) {
      case "incoming":
        return html`<p>${v.self ? t("verifyNewLoginIntro", { device: v.otherDeviceId ?? "?" }) : t("verifyPersonIntro", { name })}</p>
          <div class="actions"><button @click=${() => this.act("decline")}>${t("verifyDecline")}</button>
            <button class="primary" @click=${() => this.act("accept")}>${t("verifyAccept")}</button></div>`;
      case "waiting":
        return html`<p role="status">${v.self && v.initiatedByMe ? t("verifyOwnIntro") : t("verifyWaiting")}</p>
          <div class="actions"><button @click=${() => this.act("decline")}>${t("cancel")}</button></div>`;
      case "compare":
        return html`<p>${t("verifyCompare")}</p>${this.emojiList(v)}
          <div class="actions"><button @click=${() => this.act("mismatch")}>${t("verifyNoMatch")}</button>
            <button class="primary" @click=${() => this.act("match")}>${t("verifyMatch")}</button></div>`;
      case "confirmed":
        return html`${this.emojiList(v)}<p role="status">${t("verifyConfirmed")}</p>`;
      case "done":
        return html`<p role="status" class="ok">${v.self ? t("verifyDoneDevice") : t("verifyDonePerson", { name })}</p>${close}`;
      case "cancelled":
        return html`<p role="alert">${v.cancelReason === "mismatch" ? t("verifyMismatch") : v.cancelReason === "timeout" ? t("verifyTimeout") : t("verifyCancelled")}</p>${close}`;
    }
  }

  override render(): unknown {
    const v = this.view;
    // Escape on the modal: decline what is pending, or just close what is finished.
    return html`<dialog aria-labelledby="verif-title" @cancel=${(e: Event) => { e.preventDefault(); this.act(v !== undefined && (v.stage === "done" || v.stage === "cancelled") ? "dismiss" : "decline"); }}>
      ${v !== undefined ? html`<h2 id="verif-title">${this.heading(v)}</h2>${this.body(v)}` : nothing}
    </dialog>`;
  }
}
customElements.define("ent-verification", VerificationDialog);
