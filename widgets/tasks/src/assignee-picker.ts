// <entente-assignee-picker>: who a task is assigned to, chosen among the room's joined members
// (display name and Matrix id, any council; bots are not offered). The ARIA 1.2 combobox pattern (RGAA): a text input
// with role="combobox" filters a listbox; ArrowDown/ArrowUp move the active option
// (aria-activedescendant), Enter picks it, Escape closes the list; each chosen person has a
// "Retirer" button. A full Matrix id typed in can be picked too (someone not in the room yet).
// Without the `assign` level only oneself can be added or removed, and the picker says why.
// Fires `assignees-change` with the new list; the owner sends it.
import { LitElement, css, html, nothing } from "lit";
import type { Member } from "./board-store.ts";
import { boardTranslator, type Translate } from "./messages.ts";
import { assigneeOptions, type AssigneeOption } from "./assignee-options.ts";

let counter = 0;

export class AssigneePicker extends LitElement {
  static override properties = {
    value: { attribute: false }, members: { attribute: false }, allowOthers: { attribute: false }, restriction: { attribute: false }, disabled: { type: Boolean },
    query: { state: true }, open: { state: true }, active: { state: true },
  };
  declare value: string[];
  declare members: readonly Member[];
  /** May add or remove people other than oneself. */
  declare allowOthers: boolean;
  /** Why only oneself (shown when `allowOthers` is false). */
  declare restriction: string;
  declare disabled: boolean;
  declare query: string;
  declare open: boolean;
  declare active: number;
  self = "";
  label = "";
  t: Translate = boardTranslator("fr");
  readonly #id = `picker-${++counter}`;

  static override styles = css`
    :host { display: block; position: relative; }
    .chosen { list-style: none; margin: 0 0 .25rem; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem; }
    .chosen li { display: inline-flex; align-items: center; gap: .25rem; border: 1px solid #8888; border-radius: 1rem; padding: .05rem .15rem .05rem .5rem; }
    .mxid { color: var(--entente-muted, #555); font-size: .8rem; }
    input { font: inherit; width: 100%; box-sizing: border-box; }
    [role="listbox"] { position: absolute; z-index: 2; left: 0; right: 0; margin: 0; padding: 0; list-style: none; max-height: 14rem; overflow-y: auto;
      background: var(--entente-bg, #fff); border: 1px solid #888; border-radius: 4px; box-shadow: 0 2px 6px #0003; }
    [role="option"] { padding: .3rem .5rem; cursor: pointer; display: flex; flex-direction: column; }
    [role="option"][aria-selected="true"] { background: var(--entente-accent, #000091); color: #fff; }
    [role="option"][aria-selected="true"] .mxid { color: #fff; }
    .note, .empty { font-size: .8rem; color: var(--entente-muted, #555); margin: .25rem 0 0; }
    button { font: inherit; }
    :focus-visible { outline: 3px solid var(--entente-accent, #000091); outline-offset: 2px; }
  `;

  constructor() {
    super();
    this.value = [];
    this.members = [];
    this.allowOthers = true;
    this.restriction = "";
    this.disabled = false;
    this.query = "";
    this.open = false;
    this.active = 0;
  }

  #name(userId: string): string | undefined {
    return this.members.find((m) => m.userId === userId)?.displayName;
  }

  /** What the listbox offers for the current text. */
  options(): AssigneeOption[] {
    return assigneeOptions({ members: this.members, chosen: this.value, query: this.query, allowOthers: this.allowOthers, self: this.self });
  }

  #emit(next: string[]): void {
    this.dispatchEvent(new CustomEvent<string[]>("assignees-change", { detail: next }));
  }

  #pick(o: AssigneeOption): void {
    this.query = "";
    this.open = false;
    this.active = 0;
    this.#emit([...this.value, o.userId]);
    void this.updateComplete.then(() => this.renderRoot.querySelector("input")?.focus());
  }

  #remove(userId: string): void {
    this.#emit(this.value.filter((id) => id !== userId));
    void this.updateComplete.then(() => this.renderRoot.querySelector("input")?.focus());
  }

  #onKey(e: KeyboardEvent): void {
    const options = this.options();
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (!this.open) { this.open = true; this.active = 0; } else this.active = Math.min(options.length - 1, this.active + 1);
        break;
      case "ArrowUp":
        e.preventDefault();
        this.open = true;
        this.active = Math.max(0, this.active - 1);
        break;
      case "Enter": {
        const o = options[this.active];
        if (this.open && o !== undefined) {
          e.preventDefault();
          this.#pick(o);
        }
        break;
      }
      case "Escape":
        if (this.open) {
          // Closes the list only, not the dialog around it.
          e.stopPropagation();
          this.open = false;
        }
        break;
      default:
    }
  }

  override render() {
    const t = this.t;
    const options = this.open ? this.options() : [];
    const listId = `${this.#id}-list`;
    const activeId = options[this.active] === undefined ? "" : `${this.#id}-opt-${this.active}`;
    return html`
      <span id="${this.#id}-label">${this.label}</span>
      ${this.value.length === 0 ? html`<p class="empty">${t("noAssignee")}</p>` : html`
        <ul class="chosen" aria-labelledby="${this.#id}-label">
          ${this.value.map((id) => html`<li data-user=${id}><span>${this.#name(id) ?? id}${this.#name(id) !== undefined ? html` <span class="mxid">${id}</span>` : nothing}</span>
            <button type="button" class="remove-assignee" aria-label=${t("removeAssignee", { name: this.#name(id) ?? id })}
              ?disabled=${this.disabled || (!this.allowOthers && id !== this.self)} @click=${() => this.#remove(id)}>✕</button></li>`)}
        </ul>`}
      <input type="text" role="combobox" aria-autocomplete="list" aria-label=${t("addAssignee")} aria-controls=${listId}
        aria-expanded=${this.open ? "true" : "false"} aria-activedescendant=${activeId === "" ? nothing : activeId} autocomplete="off" ?disabled=${this.disabled}
        placeholder=${t("pickerHint")} .value=${this.query}
        @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value; this.open = true; this.active = 0; }}
        @keydown=${(e: KeyboardEvent) => this.#onKey(e)}
        @blur=${() => setTimeout(() => { if (!this.renderRoot.querySelector("input")?.matches(":focus")) this.open = false; }, 150)}>
      <ul role="listbox" id=${listId} aria-label=${t("members")} ?hidden=${!this.open}>
        ${options.map((o, i) => html`<li role="option" id="${this.#id}-opt-${i}" aria-selected=${i === this.active ? "true" : "false"}
            @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.#pick(o)}>
          <span>${o.name ?? (this.members.some((m) => m.userId === o.userId) ? o.userId : t("assignAnyone", { id: o.userId }))}</span>${o.name !== undefined ? html` <span class="mxid">${o.userId}</span>` : nothing}</li>`)}
      </ul>
      ${this.open && options.length === 0 ? html`<p class="empty" role="status">${t("noMatch")}</p>` : nothing}
      ${!this.allowOthers && this.restriction !== "" ? html`<p class="note">${this.restriction}</p>` : nothing}
    `;
  }
}

if (!customElements.get("entente-assignee-picker")) customElements.define("entente-assignee-picker", AssigneePicker);
