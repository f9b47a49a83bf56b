// <ent-poll>: one MSC3381 poll in the timeline: the answers as buttons (a vote is a timeline-action
// "vote"), counts once one has voted or the poll is closed, and for its creator or a moderator a
// "close the poll" button (event "poll-close") with a confirmation. Closed: results marked final.
import { LitElement, css, html, nothing } from "lit";
import type { MessageItem } from "../../core/timeline-model.ts";
import type { PollView } from "../../core/poll-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

/** Detail of "poll-close": the poll's event id and the poll as shown (for the closing text). */
export interface PollCloseRequest { pollId: string; poll: PollView }

export class PollCard extends LitElement {
  static override properties = { item: { attribute: false }, i18n: { attribute: false }, confirming: { state: true } };
  declare item: MessageItem;
  declare i18n: I18n;
  declare confirming: boolean;

  static override styles = [theme, css`
    .poll { border: 1px solid var(--border); border-radius: var(--radius); padding: 0.5rem; background: #fff; max-width: 28rem; }
    .answer { display: block; width: 100%; text-align: left; margin: 0.2rem 0; }
    .final { font-size: 0.85rem; margin: 0.3rem 0 0; }
    .close { margin-top: 0.3rem; display: flex; gap: 0.4rem; }
    .danger { color: var(--danger); border-color: var(--danger); }
  `];

  constructor() {
    super();
    this.confirming = false;
  }

  private vote(answerId: string): void {
    this.dispatchEvent(new CustomEvent("timeline-action", { detail: { action: "vote", item: this.item, value: answerId }, bubbles: true, composed: true }));
  }

  private close(poll: PollView): void {
    this.confirming = false;
    this.dispatchEvent(new CustomEvent<PollCloseRequest>("poll-close", { detail: { pollId: this.item.eventId, poll }, bubbles: true, composed: true }));
  }

  override render(): unknown {
    const p = this.item.poll;
    if (p === undefined) return nothing;
    const { t } = this.i18n;
    const showResults = p.closed || p.myAnswer !== undefined;
    return html`<div class="poll" role="group" aria-label=${p.question}><strong>${p.question}</strong>
      ${p.answers.map((a) => html`<button class="answer" ?disabled=${p.closed} aria-pressed=${p.myAnswer === a.id ? "true" : "false"} @click=${() => this.vote(a.id)}>
        ${a.text}${showResults ? ` — ${a.votes}` : ""}</button>`)}
      ${p.closed ? html`<p class="final muted">${t("pollClosedFinal", { count: p.voters })}</p>` : nothing}
      ${p.closableByMe ? (this.confirming
        ? html`<div class="close"><button class="danger" @click=${() => this.close(p)}>${t("pollCloseConfirm")}</button>
            <button @click=${() => { this.confirming = false; }}>${t("cancel")}</button></div>`
        : html`<div class="close"><button @click=${() => { this.confirming = true; }}>${t("pollClose")}</button></div>`) : nothing}
    </div>`;
  }
}
customElements.define("ent-poll", PollCard);
