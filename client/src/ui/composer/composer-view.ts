// Message composer: Markdown text, Enter to send (Shift+Enter for a new line), reply/edit banner,
// file picker and drag-and-drop, upload progress with cancel, @-mention completion (the room view
// answers "mention-query" with `suggestions`). Drafts are kept per room by the room view.
import { LitElement, css, html, nothing } from "lit";
// live(): the room's draft is compared with what the field holds, not with the last value
// rendered, so switching to a room whose draft is empty clears what was typed in the previous one.
import { live } from "lit/directives/live.js";
import { insertMention, mentionQueryAt, type MentionCandidate } from "../../core/mentions.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export interface UploadProgress { id: number; name: string; loaded: number; total: number }

export class ComposerView extends LitElement {
  static override properties = {
    i18n: { attribute: false }, banner: { type: String }, draft: { type: String }, uploads: { attribute: false },
    suggestions: { attribute: false }, active: { state: true },
  };
  declare i18n: I18n;
  declare banner: string;
  declare draft: string;
  declare uploads: UploadProgress[];
  /** People matching the "@term" being typed; empty when none is being typed. */
  declare suggestions: MentionCandidate[];
  declare active: number;
  private mention: { start: number; query: string } | undefined;

  static override styles = [theme, css`
    :host { display: block; border-top: 1px solid var(--border); background: var(--surface); padding: 0.5rem 1rem; }
    form { display: flex; gap: 0.5rem; align-items: flex-end; }
    textarea { flex: 1; resize: vertical; min-height: 2.4rem; }
    .banner { display: flex; justify-content: space-between; color: var(--muted); font-size: 0.9rem; margin-bottom: 0.3rem; }
    .upload { display: flex; align-items: center; gap: 0.5rem; font-size: 0.9rem; }
    progress { flex: 1; }
    .field { flex: 1; position: relative; display: flex; }
    [role="listbox"] { position: absolute; bottom: 100%; left: 0; margin: 0 0 0.3rem; padding: 0.2rem; list-style: none; background: #fff; border: 1px solid var(--border); border-radius: var(--radius); box-shadow: 0 2px 8px rgb(0 0 0 / 0.15); min-width: 16rem; }
    [role="option"] { padding: 0.3rem 0.5rem; border-radius: var(--radius); cursor: pointer; }
    [role="option"][aria-selected="true"] { background: #dbe4f3; }
  `];

  constructor() {
    super();
    this.banner = "";
    this.draft = "";
    this.uploads = [];
    this.suggestions = [];
    this.active = 0;
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

  private listOpen(): boolean {
    return this.mention !== undefined && this.suggestions.length > 0;
  }

  private input(area: HTMLTextAreaElement): void {
    this.emit("compose-draft", area.value);
    this.mention = mentionQueryAt(area.value, area.selectionStart);
    this.active = 0;
    // No mention at the caret is `null` in the event (a CustomEvent's undefined detail becomes null).
    this.emit("mention-query", this.mention?.query ?? null);
  }

  private pick(who: MentionCandidate): void {
    const area = this.renderRoot.querySelector("textarea");
    if (area === null || this.mention === undefined) return;
    const r = insertMention(area.value, this.mention.start, area.selectionStart, who);
    area.value = r.text;
    area.setSelectionRange(r.caret, r.caret);
    area.focus();
    this.mention = undefined;
    this.emit("compose-draft", r.text);
    this.emit("mention-query", null);
  }

  private keydown(e: KeyboardEvent): void {
    if (this.listOpen()) {
      const n = this.suggestions.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        return;
      }
      const chosen = this.suggestions[this.active];
      if ((e.key === "Enter" || e.key === "Tab") && chosen !== undefined) {
        e.preventDefault();
        this.pick(chosen);
        return;
      }
      if (e.key === "Escape") {
        this.mention = undefined;
        this.emit("mention-query", null);
        return;
      }
    }
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
    if (text !== undefined) {
      area.value = text;
      // The room keeps it as the draft, so the next render (live() binding) does not clear it.
      this.emit("compose-draft", text);
    }
    area.focus();
  }

  override render(): unknown {
    const { t } = this.i18n;
    const open = this.listOpen();
    return html`
      ${this.banner !== "" ? html`<div class="banner"><span>${this.banner}</span><button @click=${() => this.emit("compose-cancel", null)}>${t("cancel")}</button></div>` : nothing}
      ${this.uploads.map((u) => html`<div class="upload" role="status">
        <span>${t("uploading", { name: u.name })}</span>
        <progress max=${u.total || 1} value=${u.loaded} aria-label=${t("uploading", { name: u.name })}></progress>
        <button @click=${() => this.emit("upload-cancel", u.id)}>${t("cancel")}</button></div>`)}
      <form @submit=${(e: Event) => this.submit(e)} @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => { e.preventDefault(); this.files(e.dataTransfer?.files); }}>
        <!-- The 📎 button is the control (keyboard, screen readers); the input, hidden, only opens the chooser. -->
        <input class="visually-hidden" id="file" type="file" tabindex="-1" aria-hidden="true" @change=${(e: Event) => { const input = e.target as HTMLInputElement; this.files(input.files); input.value = ""; }} />
        <button type="button" aria-label=${t("attachFile")} @click=${() => this.renderRoot.querySelector<HTMLInputElement>("#file")?.click()}>📎</button>
        <label class="visually-hidden" for="text">${t("composerLabel")}</label>
        <div class="field">
          ${open ? html`<ul id="mentions" role="listbox" aria-label=${t("mentionSuggestions")}>${this.suggestions.map((c, i) => html`<li id=${`mention-${i}`} role="option"
            aria-selected=${i === this.active ? "true" : "false"} @mousedown=${(e: Event) => { e.preventDefault(); this.pick(c); }}>${c.name} <span class="muted">${c.userId}</span></li>`)}</ul>` : nothing}
          <textarea id="text" rows="1" placeholder=${t("composerLabel")} .value=${live(this.draft)} aria-autocomplete="list"
            aria-controls=${open ? "mentions" : nothing} aria-activedescendant=${open ? `mention-${this.active}` : nothing}
            @keydown=${(e: KeyboardEvent) => this.keydown(e)} @input=${(e: Event) => this.input(e.target as HTMLTextAreaElement)}></textarea>
        </div>
        <button class="primary" type="submit">${t("send")}</button>
      </form>`;
  }
}
customElements.define("ent-composer", ComposerView);
