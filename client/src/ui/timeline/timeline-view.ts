// The message list: day separators, sender grouping, sanitised HTML, replies (click: jump to the
// quoted message), reactions, edits, deletions, files, polls and thread summaries. Virtualised
// (virtual-scroller.ts): only the rows in view plus a margin are in the DOM, so 10,000 events
// scroll smoothly. A log role with aria-live off: rows mounted by scrolling are not read out; the
// room's live region announces new messages. PageUp/PageDown/Home/End scroll the focused list.
import { LitElement, css, html, nothing } from "lit";
import { guard } from "lit/directives/guard.js";
import { repeat } from "lit/directives/repeat.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import { continuesGroup, itemKey, type MessageItem, type TimelineItem } from "../../core/timeline-model.ts";
import { dayLabel } from "../../core/i18n/translator.ts";
import { reactionLabel } from "../../core/reaction-label.ts";
import { formatSize } from "../../core/attachment-crypto.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { sanitizeHtml } from "../shared/sanitize.ts";
import { customMessageBody } from "../calendar/timeline-hook.ts";
import { theme } from "../shared/theme.ts";
import { VirtualScroller } from "./virtual-scroller.ts";
import "./poll-card.ts";
import "./image-preview.ts";

export interface TimelineAction { action: "reply" | "edit" | "react" | "redact" | "download" | "vote" | "retry" | "thread" | "goto"; item: MessageItem; value?: string }

const HEAD = "head";

/** One formatter per locale: toLocaleTimeString builds a new one per call (slow on 10,000 rows). */
const clocks = new Map<string, Intl.DateTimeFormat>();
function clockTime(locale: string, ts: number): string {
  const tag = locale === "fr" ? "fr-FR" : "en-GB";
  let f = clocks.get(tag);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(tag, { hour: "2-digit", minute: "2-digit" });
    clocks.set(tag, f);
  }
  return f.format(ts);
}

const QUICK_REACTIONS = ["👍", "✅", "🎉"];

export class TimelineView extends LitElement {
  static override properties = {
    items: { attribute: false }, i18n: { attribute: false }, me: { type: String }, nameOf: { attribute: false }, readBy: { attribute: false },
    atStart: { type: Boolean }, busy: { type: Boolean }, inThread: { type: Boolean }, label: { type: String },
  };
  declare items: TimelineItem[];
  /** The whole history is loaded: the top row says so instead of offering older messages. */
  declare atStart: boolean;
  /** Older history is loading: aria-busy on the list (assistive technologies wait; tests too). */
  declare busy: boolean;
  /** Shown in the thread panel: no thread summary, no reply/edit (the panel has its composer). */
  declare inThread: boolean;
  /** Accessible name of the list (defaults to "Messages"). */
  declare label: string;
  declare i18n: I18n;
  declare me: string;
  declare nameOf: (userId: string) => string;
  /** Others' read receipts, by the message they sit under. */
  declare readBy: ReadonlyMap<string, readonly string[]>;

  static override styles = [theme, css`
    :host { display: block; height: 100%; min-height: 0; }
    .viewport { height: 100%; overflow-y: auto; overflow-anchor: none; position: relative; }
    .viewport:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
    .spacer { position: relative; }
    ol { list-style: none; margin: 0; padding: 0 1rem; position: absolute; top: 0; left: 0; right: 0; will-change: transform; }
    li { display: flow-root; contain: layout style; }
    .head { text-align: center; padding: 0.5rem 0; }
    .day { text-align: center; color: var(--muted); font-size: 0.85rem; font-weight: normal; margin: 1rem 0 0.5rem; }
    article { padding: 0.35rem 0.5rem; border-radius: var(--radius); }
    article.cont { padding-top: 0.05rem; }
    .reply { display: block; text-align: left; background: none; border: 0; border-left: 3px solid #94a3b8; border-radius: 0; cursor: pointer; width: 100%; }
    .thread { display: block; text-align: left; margin-top: 0.25rem; font-size: 0.85rem; }
    article:hover, article:focus-within { background: #eef2f7; }
    .sender { font-weight: 600; margin-right: 0.5rem; }
    time { color: var(--muted); font-size: 0.8rem; }
    .body p { margin: 0.2rem 0; }
    .reply { border-left: 3px solid #94a3b8; padding-left: 0.5rem; color: var(--muted); font-size: 0.9rem; margin: 0.2rem 0; }
    .tools { display: flex; gap: 0.25rem; flex-wrap: wrap; margin-top: 0.2rem; }
    .tools button { padding: 0.1rem 0.45rem; font-size: 0.85rem; }
    /* The actions (quick reactions, reply, thread, edit, delete) show when the pointer is on the
       message or the keyboard is in it, so a page of messages is not a page of buttons; they keep
       their place (no jump) and stay in the reading order for screen readers. Touch screens (no
       hover) and forced colours see them always. Reactions people gave stay visible. */
    @media (hover: hover) and (forced-colors: none) {
      .tools .act { opacity: 0; transition: opacity 80ms; }
      article:hover .tools .act, article:focus-within .tools .act { opacity: 1; }
    }
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
    this.atStart = false;
    this.busy = false;
    this.inThread = false;
    this.label = "";
  }

  private readonly scroller = new VirtualScroller(this, {
    estimate: 64, margin: 900, stable: (key) => key !== HEAD && !key.startsWith("day:"),
    nearTop: () => { if (!this.atStart) this.dispatchEvent(new CustomEvent("timeline-older", { bubbles: true, composed: true })); },
  });

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("items")) this.scroller.setKeys([HEAD, ...this.items.map(itemKey)]);
  }

  /** Is this message in the loaded list (it may not be in the DOM: the list is virtualised)? */
  has(eventId: string): boolean {
    return this.scroller.has(eventId);
  }

  /** Scrolls a message to the centre and focuses it ("jump to the first unread", reply click); false if not loaded. */
  async reveal(eventId: string): Promise<boolean> {
    if (!(await this.scroller.reveal(eventId))) return false;
    const el = this.renderRoot.querySelector<HTMLElement>(`article[data-event-id="${CSS.escape(eventId)}"]`);
    el?.focus({ preventScroll: true });
    return el !== null;
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
    // An in-room verification request (its body is a fallback for clients without it): the dialog does the rest.
    if (m.msgtype === "m.key.verification.request") return html`<p class="muted">🔐 ${t("verifyRequestTile", { name: this.nameOf(m.sender) })}</p>`;
    // Polls (vote, close) and image previews are their own components (poll-card.ts, image-preview.ts).
    if (m.poll !== undefined) return html`<ent-poll .item=${m} .i18n=${this.i18n}></ent-poll>`;
    if (m.file?.image !== undefined) return html`<ent-image .item=${m} .i18n=${this.i18n}></ent-image>`;
    if (m.file !== undefined) {
      const f = m.file;
      return html`<button @click=${() => this.act("download", m)}>📎 ${t("download", { name: f.name })}${f.size !== undefined ? ` (${formatSize(f.size, locale)})` : ""}</button>`;
    }
    const content = m.html !== undefined ? unsafeHTML(sanitizeHtml(m.html)) : html`<p>${m.body}</p>`;
    return html`<div class="body">${content}</div>${m.edited ? html`<span class="muted">${t("edited")}</span>` : nothing}`;
  }

  private threadSummary(m: MessageItem): unknown {
    if (this.inThread || m.threadReplies === 0) return nothing;
    const { t } = this.i18n;
    const last = m.threadLast;
    return html`<button class="thread" @click=${() => this.act("thread", m)}><span class="visually-hidden">${t("openThread")} : </span><span aria-hidden="true">🧵 </span><strong>${m.threadReplies === 1 ? t("threadOne") : t("threadMany", { count: m.threadReplies })}</strong>${last !== undefined
        ? html` <span class="muted">· ${t("threadLast", { name: this.nameOf(last.sender), body: last.body.length > 80 ? `${last.body.slice(0, 80)}…` : last.body })}</span>` : nothing}</button>`;
  }

  private message(m: MessageItem, continued: boolean): unknown {
    const { t, locale } = this.i18n;
    const time = new Date(m.ts);
    const mine = m.sender === this.me;
    const readers = this.readBy.get(m.eventId);
    return html`<article class=${continued ? "cont" : ""} aria-label=${this.nameOf(m.sender)} data-event-id=${m.eventId} tabindex="-1">
      ${continued ? nothing : html`<span class="sender">${this.nameOf(m.sender)}</span>`}
      <time datetime=${time.toISOString()}>${clockTime(locale, m.ts)}</time>
      ${m.replyTo !== undefined ? html`<button class="reply" title=${t("goToMessage")} @click=${() => this.act("goto", m, m.replyTo?.eventId)}>${t("replyingTo", { name: this.nameOf(m.replyTo.sender ?? "") })} : ${m.replyTo.body ?? "…"}</button>` : nothing}
      ${this.body(m)}
      ${m.status === "failed" ? html`<p class="error">${t("sendFailed")} <button @click=${() => this.act("retry", m)}>${t("retry")}</button></p>` : nothing}
      ${m.status === "queued" ? html`<p class="muted">${t("sendQueued")}</p>` : nothing}
      ${m.redacted ? nothing : html`<div class="tools">
        ${m.reactions.map((r) => html`<button class="reaction" aria-pressed=${r.mine ? "true" : "false"} aria-label=${reactionLabel(t, locale, r, this.me, (u) => this.nameOf(u))} @click=${() => this.act("react", m, r.key)}>${r.key} ${r.count}</button>`)}
        ${QUICK_REACTIONS.filter((k) => !m.reactions.some((r) => r.key === k)).map((k) => html`<button class="act" aria-label=${`${t("react")} ${k}`} @click=${() => this.act("react", m, k)}>${k}</button>`)}
        ${this.inThread ? nothing : html`<button class="act" @click=${() => this.act("reply", m)}>${t("reply")}</button>`}
        ${this.inThread || m.threadReplies > 0 || m.status !== undefined ? nothing : html`<button class="act" @click=${() => this.act("thread", m)}>${t("startThread")}</button>`}
        ${mine && !this.inThread && m.file === undefined && m.poll === undefined ? html`<button class="act" @click=${() => this.act("edit", m)}>${t("edit")}</button>` : nothing}
        ${mine ? html`<button class="act" @click=${() => this.act("redact", m)}>${t("remove")}</button>` : nothing}
      </div>`}
      ${m.redacted ? nothing : this.threadSummary(m)}
      ${readers !== undefined ? html`<p class="receipts muted">${t("readBy", { names: readers.map((u) => this.nameOf(u)).join(", ") })}</p>` : nothing}
    </article>`;
  }

  private row(i: number, now: Date): unknown {
    const { t, locale } = this.i18n;
    if (i === 0) {
      if (this.inThread) return nothing;
      return this.atStart ? html`<p class="muted">${t("roomStart")}</p>`
        : html`<button @click=${() => this.dispatchEvent(new CustomEvent("timeline-older", { bubbles: true, composed: true }))}>${t("loadOlder")}</button>`;
    }
    const item = this.items[i - 1];
    if (item === undefined) return nothing;
    if (item.kind === "day") return html`<h2 class="day">${dayLabel(t, locale, new Date(item.ts), now)}</h2>`;
    return this.message(item, continuesGroup(this.items[i - 2], item));
  }

  override render(): unknown {
    const now = new Date();
    const { start, end } = this.scroller.range;
    const indexes = Array.from({ length: Math.max(0, end - start) }, (_, n) => start + n);
    const size = this.items.length + 1;
    const keyOf = (i: number): string => (i === 0 ? HEAD : itemKey(this.items[i - 1] as TimelineItem));
    return html`<div class="viewport" role="log" aria-live="off" aria-busy=${this.busy ? "true" : "false"} aria-label=${this.label !== "" ? this.label : this.i18n.t("timeline")} tabindex="0"
      @scroll=${() => this.scroller.onScroll()} @keydown=${(e: KeyboardEvent) => this.scroller.onKey(e)}>
      <div class="spacer">
        <ol class="rows">
          ${repeat(indexes, keyOf, (i) => html`<li data-key=${keyOf(i)} class=${i === 0 ? "head" : ""} aria-setsize=${size} aria-posinset=${i + 1}>${
            // A row already rendered is not re-rendered while scrolling: only when its item, its
            // neighbour above (grouping), its readers or the language change.
            guard([this.items[i - 1], i > 1 ? this.items[i - 2] : undefined, this.readBy.get(keyOf(i)), this.i18n, this.atStart, this.inThread, this.me], () => this.row(i, now))}</li>`)}
        </ol>
      </div>
    </div>`;
  }
}
customElements.define("ent-timeline", TimelineView);
