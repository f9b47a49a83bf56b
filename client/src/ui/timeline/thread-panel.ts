// <ent-thread-panel>: one thread beside the room: its root and replies (a virtualised timeline in
// thread mode) and a composer whose text goes out as an m.thread reply (event "thread-send"; the
// room view builds the content). Escape or "Fermer le fil" closes it (event "thread-close").
import { LitElement, css, html, nothing } from "lit";
import type { TimelineItem } from "../../core/timeline-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import "./timeline-view.ts";

export class ThreadPanel extends LitElement {
  static override properties = {
    items: { attribute: false }, i18n: { attribute: false }, me: { type: String }, nameOf: { attribute: false }, loading: { type: Boolean },
  };
  declare items: TimelineItem[];
  declare i18n: I18n;
  declare me: string;
  declare nameOf: (userId: string) => string;
  declare loading: boolean;

  static override styles = [theme, css`
    :host { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; height: 100%; border-left: 1px solid var(--border); background: var(--surface); }
    header { display: flex; align-items: center; justify-content: space-between; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--border); }
    h2 { font-size: 1rem; margin: 0; }
    ent-timeline { min-height: 0; }
    form { display: flex; gap: 0.4rem; padding: 0.5rem; border-top: 1px solid var(--border); }
    textarea { flex: 1; resize: vertical; min-height: 2.4rem; font: inherit; }
  `];

  constructor() {
    super();
    this.items = [];
    this.me = "";
    this.nameOf = (u) => u;
    this.loading = false;
  }

  focusText(): void {
    this.renderRoot.querySelector("textarea")?.focus();
  }

  private send(e: Event): void {
    e.preventDefault();
    const area = this.renderRoot.querySelector("textarea");
    const text = area?.value.trim() ?? "";
    if (area === null || text === "") return;
    area.value = "";
    this.dispatchEvent(new CustomEvent<string>("thread-send", { detail: text, bubbles: true, composed: true }));
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent("thread-close", { bubbles: true, composed: true }));
  }

  override render(): unknown {
    const { t } = this.i18n;
    return html`<header>
        <h2 id="thread-title">${t("threadTitle")}</h2>
        <button @click=${() => this.close()}>${t("threadClose")}</button>
      </header>
      <ent-timeline .items=${this.items} .i18n=${this.i18n} me=${this.me} .nameOf=${this.nameOf} atStart inThread label=${t("threadTitle")}
        @keydown=${(e: KeyboardEvent) => { if (e.key === "Escape") this.close(); }}></ent-timeline>
      <form @submit=${(e: Event) => this.send(e)} @keydown=${(e: KeyboardEvent) => { if (e.key === "Escape") this.close(); }}>
        ${this.loading ? html`<span class="muted" role="status">${t("threadLoading")}</span>` : nothing}
        <label class="visually-hidden" for="thread-text">${t("threadComposer")}</label>
        <textarea id="thread-text" rows="1" placeholder=${t("threadComposer")}
          @keydown=${(e: KeyboardEvent) => { if (e.key === "Enter" && !e.shiftKey) this.send(e); }}></textarea>
        <button class="primary" type="submit">${t("send")}</button>
      </form>`;
  }
}
customElements.define("ent-thread-panel", ThreadPanel);
