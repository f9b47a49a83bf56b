// <ent-menu-button>: a button that opens a menu of actions, after the WAI-ARIA APG menu button
// (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/). The button has aria-haspopup="menu"
// and aria-expanded; the menu is a role="menu" of role="menuitem" buttons, one focusable at a
// time. Keys in menu-keys.ts; a click outside closes; choosing an item closes the menu, gives the
// focus back to the button, then runs the item (so an item may move the focus on: a field, a
// dialog, a file picker — its click's user activation is kept). An item not allowed stays in the
// menu, focusable, with aria-disabled and its reason as description and tooltip.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { theme } from "./theme.ts";
import { buttonKey, menuKey } from "./menu-keys.ts";

export interface MenuItem {
  /** Accessible name, complete on its own (e.g. "Renommer acte.pdf"). */
  label: string;
  /** Visible text (e.g. "Renommer"); the label contains it (WCAG 2.5.3). */
  text: string;
  /** Set when the item is not allowed: why (said by screen readers, shown as a tooltip). */
  disabledReason?: string | undefined;
  /** "dialog" when the item opens a dialog. */
  haspopup?: "dialog" | undefined;
  /** Runs the item; `origin` is the menu's button (focused), for events or a dialog's return focus. */
  run(origin: HTMLElement): void;
}

export class MenuButton extends LitElement {
  static override properties = {
    label: { type: String }, text: { type: String }, items: { attribute: false }, expanded: { state: true },
  };
  declare label: string;
  declare text: string;
  declare items: readonly MenuItem[];
  declare expanded: boolean;
  /** Which item takes the focus once the menu is rendered open. */
  private pendingFocus: "first" | "last" | undefined;

  /** focus() on the element focuses its button (a row gives the focus back to it). */
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  static override styles = [theme, css`
    :host { position: relative; display: inline-block; }
    [role="menu"] { position: absolute; right: 0; top: calc(100% + 2px); z-index: 20; min-width: 12rem; display: flex; flex-direction: column;
      padding: 0.25rem; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: 0 6px 18px rgb(0 0 0 / 0.15); }
    [role="menu"][hidden] { display: none; }
    [role="menu"].up { top: auto; bottom: calc(100% + 2px); }
    [role="menu"].start { right: auto; left: 0; }
    [role="menuitem"] { border: none; text-align: left; white-space: nowrap; border-radius: 4px; font-size: inherit; }
    [role="menuitem"]:hover, [role="menuitem"]:focus { background: #dbeafe; }
    [role="menuitem"][aria-disabled="true"] { color: var(--muted); cursor: not-allowed; }
    .sr { display: none; }
  `];

  constructor() {
    super();
    this.label = "";
    this.text = "";
    this.items = [];
    this.expanded = false;
  }

  /** Opens the menu with the focus on its first (or last) item: the button's keys, a context menu. */
  show(focus: "first" | "last" = "first"): void {
    this.pendingFocus = focus;
    if (this.expanded) this.focusPending();
    this.expanded = true;
  }

  /** Closes the menu; `refocus` gives the focus back to the button. */
  close(refocus: boolean): void {
    this.expanded = false;
    if (refocus) this.button()?.focus();
  }

  private button(): HTMLButtonElement | null {
    return this.renderRoot.querySelector<HTMLButtonElement>("#button");
  }

  private menuItems(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  }

  private readonly onOutside = (e: Event): void => {
    if (!e.composedPath().includes(this)) this.close(false);
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("pointerdown", this.onOutside, true);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("expanded")) {
      if (this.expanded) document.addEventListener("pointerdown", this.onOutside, true);
      else document.removeEventListener("pointerdown", this.onOutside, true);
    }
    if (changed.has("expanded") && this.expanded) this.placeMenu();
    if (this.expanded) this.focusPending();
  }

  /**
   * Below the button, or above it when the window has no room below and has some above; its right
   * edge on the button's, or its left edge when it would go past the window's left side.
   */
  private placeMenu(): void {
    const menu = this.renderRoot.querySelector<HTMLElement>('[role="menu"]');
    if (menu === null) return;
    menu.classList.remove("up", "start");
    const box = menu.getBoundingClientRect();
    if (box.bottom > window.innerHeight && box.height < this.getBoundingClientRect().top) menu.classList.add("up");
    if (box.left < 0) menu.classList.add("start");
  }

  private focusPending(): void {
    const items = this.menuItems();
    if (this.pendingFocus === undefined || items.length === 0) return;
    (this.pendingFocus === "first" ? items[0] : items[items.length - 1])?.focus();
    this.pendingFocus = undefined;
  }

  private onButtonKey(e: KeyboardEvent): void {
    // Enter and Space are the button's click (opens on the first item); the arrows handled here
    // do not reach the page (a grid's row keys).
    const to = buttonKey(e.key);
    if (to === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    this.show(to);
  }

  private onMenuKey(e: KeyboardEvent): void {
    const items = this.menuItems();
    const index = items.indexOf(e.composedPath()[0] as HTMLElement);
    const move = menuKey(e.key, Math.max(0, index), this.items.map((i) => i.text));
    if (move === undefined) return;
    e.stopPropagation();
    if ("focus" in move) {
      e.preventDefault();
      items[move.focus]?.focus();
    } else if (move.close === "escape") {
      e.preventDefault();
      this.close(true);
    } else {
      // Tab: the focus goes back on the button and the browser's Tab moves on from there.
      this.close(true);
    }
  }

  private choose(item: MenuItem): void {
    if (item.disabledReason !== undefined) return;
    const origin = this.button();
    this.close(true);
    if (origin) item.run(origin);
  }

  override render(): unknown {
    return html`<button id="button" type="button" aria-haspopup="menu" aria-expanded=${this.expanded ? "true" : "false"} aria-controls="menu"
        aria-label=${this.label} @keydown=${(e: KeyboardEvent) => this.onButtonKey(e)}
        @click=${() => (this.expanded ? this.close(true) : this.show("first"))}>${this.text} <span aria-hidden="true">▾</span></button>
      <div id="menu" role="menu" aria-labelledby="button" ?hidden=${!this.expanded} @keydown=${(e: KeyboardEvent) => this.onMenuKey(e)}>
        ${this.items.map((item, i) => html`<button type="button" role="menuitem" tabindex="-1" aria-label=${item.label}
          aria-haspopup=${item.haspopup ?? nothing} aria-disabled=${item.disabledReason !== undefined ? "true" : nothing}
          aria-describedby=${item.disabledReason !== undefined ? `why-${i}` : nothing} title=${item.disabledReason ?? nothing}
          @click=${() => this.choose(item)}>${item.text}</button>`)}
      </div>
      ${this.items.map((item, i) => (item.disabledReason !== undefined ? html`<span class="sr" id=${`why-${i}`}>${item.disabledReason}</span>` : nothing))}`;
  }
}
customElements.define("ent-menu-button", MenuButton);

declare global {
  interface HTMLElementTagNameMap { "ent-menu-button": MenuButton }
}
