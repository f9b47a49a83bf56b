// Message composer: Markdown text, Enter to send (Shift+Enter for a new line), reply/edit banner,
// file picker and drag-and-drop, upload progress with cancel. Drafts are kept per room by the room view.
import { LitElement, css, html, nothing } from "lit";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export interface UploadProgress { id: number; name: string; loaded: number; total: number }

export class ComposerView extends LitElement {
  static override properties = { i18n: { attribute: false }, banner: { type: String }, draft: { type: String }, uploads: { attribute: false } };
  declare i18n: I18n;
  declare banner: string;
  declare draft: string;
  declare uploads: UploadProgress[];

  static override styles = [theme, css`
    :host { display: block; border-top: 1px solid var(--border); background: var(--surface); padding: 0.5rem 1rem; }
    form { display: flex; gap: 0.5rem; align-items: flex-end; }
    textarea { flex: 1; resize: vertical; min-height: 2.4rem; }
    .banner { display: flex; justify-content: space-between; color: var(--muted); font-size: 0.9rem; margin-bottom: 0.3rem; }
    .upload { display: flex; align-items: center; gap: 0.5rem; font-size: 0.9rem; }
    progress { flex: 1; }
  `];

  constructor() {
    super();
    this.banner = "";
    this.draft = "";
    this.uploads = [];
  }

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  private submit(e?: Event): void {
    e?.preventDefault();
    const area = this.renderRoot.querySelector("textarea");
    const text = area?.value.trim() ?? "";
    if (text === "" || area === null) return;
    this.emit("compose-send", text);
    area.value = "";
  }

  private keydown(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey) this.submit(e);
    if (e.key === "Escape" && this.banner !== "") this.emit("compose-cancel", null);
  }

  private files(list: FileList | null | undefined): void {
    for (const f of list ?? []) this.emit("compose-file", f);
  }

  /** Focus the text area (after choosing reply or edit). */
  focusText(text?: string): void {
    const area = this.renderRoot.querySelector("textarea");
    if (area === null) return;
    if (text !== undefined) area.value = text;
    area.focus();
  }

  override render(): unknown {
    const { t } = this.i18n;
    return html`
      ${this.banner !== "" ? html`<div class="banner"><span>${this.banner}</span><button @click=${() => this.emit("compose-cancel", null)}>${t("cancel")}</button></div>` : nothing}
      ${this.uploads.map((u) => html`<div class="upload" role="status">
        <span>${t("uploading", { name: u.name })}</span>
        <progress max=${u.total || 1} value=${u.loaded} aria-label=${t("uploading", { name: u.name })}></progress>
        <button @click=${() => this.emit("upload-cancel", u.id)}>${t("cancel")}</button></div>`)}
      <form @submit=${(e: Event) => this.submit(e)} @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => { e.preventDefault(); this.files(e.dataTransfer?.files); }}>
        <label class="visually-hidden" for="file">${t("attachFile")}</label>
        <input class="visually-hidden" id="file" type="file" @change=${(e: Event) => { const input = e.target as HTMLInputElement; this.files(input.files); input.value = ""; }} />
        <button type="button" aria-label=${t("attachFile")} @click=${() => this.renderRoot.querySelector<HTMLInputElement>("#file")?.click()}>📎</button>
        <label class="visually-hidden" for="text">${t("composerLabel")}</label>
        <textarea id="text" rows="1" placeholder=${t("composerLabel")} .value=${this.draft}
          @keydown=${(e: KeyboardEvent) => this.keydown(e)} @input=${(e: Event) => this.emit("compose-draft", (e.target as HTMLTextAreaElement).value)}></textarea>
        <button class="primary" type="submit">${t("send")}</button>
      </form>`;
  }
}
customElements.define("ent-composer", ComposerView);
