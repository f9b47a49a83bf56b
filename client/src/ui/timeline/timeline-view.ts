// The message list: day separators, sender names, sanitised HTML, replies, reactions, edits,
// deletions, files and polls. A log role (RGAA: new content is announced by the room's live region).
import { LitElement, css, html, nothing } from "lit";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import type { MessageItem, TimelineItem } from "../../core/timeline-model.ts";
import { dayLabel } from "../../core/i18n/translator.ts";
import { formatSize } from "../../core/attachment-crypto.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { sanitizeHtml } from "../shared/sanitize.ts";
import { customMessageBody } from "../calendar/timeline-hook.ts";
import { theme } from "../shared/theme.ts";

export interface TimelineAction { action: "reply" | "edit" | "react" | "redact" | "download" | "vote" | "retry"; item: MessageItem; value?: string }

const QUICK_REACTIONS = ["👍", "✅", "🎉"];

export class TimelineView extends LitElement {
  static override properties = { items: { attribute: false }, i18n: { attribute: false }, me: { type: String }, nameOf: { attribute: false }, readBy: { attribute: false } };
  declare items: TimelineItem[];
  declare i18n: I18n;
  declare me: string;
  declare nameOf: (userId: string) => string;
  /** Others' read receipts, by the message they sit under. */
  declare readBy: ReadonlyMap<string, readonly string[]>;

  static override styles = [theme, css`
    :host { display: block; }
    ol { list-style: none; margin: 0; padding: 0.5rem 1rem; }
    .day { text-align: center; color: var(--muted); font-size: 0.85rem; font-weight: normal; margin: 1rem 0 0.5rem; }
    article { padding: 0.35rem 0.5rem; border-radius: var(--radius); }
    article:hover, article:focus-within { background: #eef2f7; }
    .sender { font-weight: 600; margin-right: 0.5rem; }
    time { color: var(--muted); font-size: 0.8rem; }
    .body p { margin: 0.2rem 0; }
    .reply { border-left: 3px solid #94a3b8; padding-left: 0.5rem; color: var(--muted); font-size: 0.9rem; margin: 0.2rem 0; }
    .tools { display: flex; gap: 0.25rem; flex-wrap: wrap; margin-top: 0.2rem; }
    .tools button { padding: 0.1rem 0.45rem; font-size: 0.85rem; }
    .reaction[aria-pressed="true"] { background: #dbe4f3; border-color: var(--accent); }
    .poll { border: 1px solid var(--border); border-radius: var(--radius); padding: 0.5rem; background: #fff; max-width: 28rem; }
    .poll button { display: block; width: 100%; text-align: left; margin: 0.2rem 0; }
    .receipts { font-size: 0.8rem; margin: 0.15rem 0 0; text-align: right; }
  `];

  constructor() {
    super();
    this.items = [];
    this.me = "";
    this.nameOf = (u) => u;
    this.readBy = new Map();
  }

  /** Scrolls a message into view and focuses it ("jump to the first unread"); false if not rendered. */
  reveal(eventId: string): boolean {
    const el = this.renderRoot.querySelector<HTMLElement>(`article[data-event-id="${CSS.escape(eventId)}"]`);
    if (el === null) return false;
    el.scrollIntoView({ block: "center" });
    el.focus();
    return true;
  }

  private act(action: TimelineAction["action"], item: MessageItem, value?: string): void {
    const detail: TimelineAction = value === undefined ? { action, item } : { action, item, value };
    this.dispatchEvent(new CustomEvent<TimelineAction>("timeline-action", { detail, bubbles: true, composed: true }));
  }

  private body(m: MessageItem): unknown {
    const { t, locale } = this.i18n;
    if (m.redacted) return html`<p class="muted"><em>${t("deleted")}</em></p>`;
    if (m.undecryptable) return html`<p class="muted"><em>${t("undecryptable")}</em></p>`;
    // Calendar event roots get their card (ui/calendar/timeline-hook.ts).
    const custom = customMessageBody(m, this.i18n);
    if (custom !== undefined) return custom;
    if (m.poll !== undefined) {
      const p = m.poll;
      const showResults = p.closed || p.myAnswer !== undefined;
      return html`<div class="poll" role="group" aria-label=${p.question}><strong>${p.question}</strong>
        ${p.answers.map((a) => html`<button ?disabled=${p.closed} aria-pressed=${p.myAnswer === a.id ? "true" : "false"} @click=${() => this.act("vote", m, a.id)}>
          ${a.text}${showResults ? ` — ${a.votes}` : ""}</button>`)}</div>`;
    }
    if (m.file !== undefined) {
      const f = m.file;
      return html`<button @click=${() => this.act("download", m)}>📎 ${t("download", { name: f.name })}${f.size !== undefined ? ` (${formatSize(f.size, locale)})` : ""}</button>`;
    }
    const content = m.html !== undefined ? unsafeHTML(sanitizeHtml(m.html)) : html`<p>${m.body}</p>`;
    return html`<div class="body">${content}</div>${m.edited ? html`<span class="muted">${t("edited")}</span>` : nothing}`;
  }

  private message(m: MessageItem): unknown {
    const { t, locale } = this.i18n;
    const time = new Date(m.ts);
    const mine = m.sender === this.me;
    const readers = this.readBy.get(m.eventId);
    return html`<li><article aria-label=${this.nameOf(m.sender)} data-event-id=${m.eventId} tabindex="-1">
      <span class="sender">${this.nameOf(m.sender)}</span>
      <time datetime=${time.toISOString()}>${time.toLocaleTimeString(locale === "fr" ? "fr-FR" : "en-GB", { hour: "2-digit", minute: "2-digit" })}</time>
      ${m.replyTo !== undefined ? html`<div class="reply">${t("replyingTo", { name: this.nameOf(m.replyTo.sender ?? "") })} : ${m.replyTo.body ?? "…"}</div>` : nothing}
      ${this.body(m)}
      ${m.status === "failed" ? html`<p class="error">${t("sendFailed")} <button @click=${() => this.act("retry", m)}>${t("retry")}</button></p>` : nothing}
      ${m.status === "queued" ? html`<p class="muted">${t("sendQueued")}</p>` : nothing}
      ${m.redacted ? nothing : html`<div class="tools">
        ${m.reactions.map((r) => html`<button class="reaction" aria-pressed=${r.mine ? "true" : "false"} @click=${() => this.act("react", m, r.key)}>${r.key} ${r.count}</button>`)}
        ${QUICK_REACTIONS.filter((k) => !m.reactions.some((r) => r.key === k)).map((k) => html`<button aria-label=${`${t("react")} ${k}`} @click=${() => this.act("react", m, k)}>${k}</button>`)}
        <button @click=${() => this.act("reply", m)}>${t("reply")}</button>
        ${mine && m.file === undefined && m.poll === undefined ? html`<button @click=${() => this.act("edit", m)}>${t("edit")}</button>` : nothing}
        ${mine ? html`<button @click=${() => this.act("redact", m)}>${t("remove")}</button>` : nothing}
        ${m.threadReplies > 0 ? html`<span class="muted">🧵 ${m.threadReplies}</span>` : nothing}
      </div>`}
      ${readers !== undefined ? html`<p class="receipts muted">${t("readBy", { names: readers.map((u) => this.nameOf(u)).join(", ") })}</p>` : nothing}
    </article></li>`;
  }

  override render(): unknown {
    const { t, locale } = this.i18n;
    const now = new Date();
    return html`<div role="log" aria-label=${t("timeline")}><ol>
      ${this.items.map((i) => (i.kind === "day" ? html`<li class="day"><h2 class="day">${dayLabel(t, locale, new Date(i.ts), now)}</h2></li>` : this.message(i)))}
    </ol></div>`;
  }
}
customElements.define("ent-timeline", TimelineView);
