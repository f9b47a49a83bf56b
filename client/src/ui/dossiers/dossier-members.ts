// <ent-dossier-members>: who is in the dossier, and "Retirer" for those this agent may remove.
// Removing asks first, and says what it means for the files: those uploaded before stay readable
// by the person removed (they hold those keys); what is sent after uses a new room key.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import type { DossierMember, DossierMembersPort } from "../../core/dossiers/dossier-members.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { archiveTranslator, type ArchiveTranslate } from "./archive-messages.ts";

export class DossierMembers extends LitElement {
  static override properties = {
    i18n: { attribute: false }, port: { attribute: false }, roomId: { type: String }, version: { type: Number },
    confirming: { state: true }, status: { state: true }, busy: { state: true },
  };
  declare i18n: I18n;
  declare port: DossierMembersPort;
  declare roomId: string;
  declare version: number;
  declare confirming: DossierMember | undefined;
  declare status: string;
  declare busy: boolean;
  static override styles = [theme, css`
    :host { display: block; margin: 0.6rem 0; }
    h2 { font-size: 1.05rem; margin: 0.4rem 0; }
    ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
    li { display: flex; gap: 0.4rem; align-items: center; }
    .confirm { border: 2px solid #b45309; border-radius: 6px; padding: 0.6rem; margin: 0.5rem 0; background: #fffbeb; }
    .confirm p { margin: 0.3rem 0; }
    .warn { font-weight: 600; }
  `];

  constructor() {
    super();
    this.status = "";
    this.busy = false;
    this.version = 0;
  }

  private get tr(): ArchiveTranslate {
    return archiveTranslator(this.i18n.locale);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("confirming") && this.confirming !== undefined) this.renderRoot.querySelector<HTMLButtonElement>(".confirm button")?.focus();
  }

  private async removeMember(m: DossierMember): Promise<void> {
    this.busy = true;
    try {
      await this.port.removeMember(this.roomId, m.userId);
      this.status = this.tr("removed", { name: m.name });
    } catch (e: unknown) {
      this.status = this.tr("removeFailed", { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.busy = false;
      this.confirming = undefined;
    }
  }

  private cancel(): void {
    const userId = this.confirming?.userId;
    this.confirming = undefined;
    if (userId !== undefined) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`button[data-user="${CSS.escape(userId)}"]`)?.focus());
  }

  override render(): unknown {
    const tr = this.tr;
    const members = this.port.members(this.roomId);
    const c = this.confirming;
    return html`<section aria-labelledby="members-title">
      <h2 id="members-title">${tr("membersTitle")}</h2>
      <ul>${members.map((m) => html`<li>
        <span>${m.membership === "invite" ? tr("memberInvited", { name: m.name }) : m.name}</span>
        ${m.removable ? html`<button type="button" data-user=${m.userId} aria-label=${tr("removeMember", { name: m.name })} ?disabled=${this.busy} @click=${() => { this.confirming = m; }}>${tr("short_remove")}</button>` : nothing}
      </li>`)}</ul>
      ${c === undefined ? nothing : html`<div class="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-warn confirm-key"
          @keydown=${(e: KeyboardEvent) => { if (e.key === "Escape") this.cancel(); }}>
        <p id="confirm-title"><strong>${tr("confirmRemoveTitle", { name: c.name })}</strong></p>
        <p id="confirm-warn" class="warn">${tr("keepsOldFiles")}</p>
        <p id="confirm-key">${tr("newKeyNote")}</p>
        <button type="button" ?disabled=${this.busy} @click=${() => void this.removeMember(c)}>${tr("confirmRemove")}</button>
        <button type="button" @click=${() => this.cancel()}>${tr("cancel")}</button>
      </div>`}
      <p role="status" aria-live="polite">${this.status}</p>
    </section>`;
  }
}
customElements.define("ent-dossier-members", DossierMembers);
