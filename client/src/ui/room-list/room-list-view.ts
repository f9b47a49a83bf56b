// The left column: working groups (spaces) with their rooms, direct messages, other rooms and
// invitations, with unread badges. A navigation landmark; rooms are links to #/room/<id>.
import { LitElement, css, html, nothing } from "lit";
import { inviterText, type RoomListView as Model, type RoomSummary } from "../../core/room-list-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import type { ThumbnailLoader } from "../shared/room-avatar.ts";
import "../shared/room-avatar.ts";

export class RoomListView extends LitElement {
  static override properties = { model: { attribute: false }, i18n: { attribute: false }, selected: { type: String }, load: { attribute: false }, answering: { attribute: false } };
  /** Fetches room images (absent before the session is up: initials are shown). */
  declare load: ThumbnailLoader | undefined;
  declare model: Model;
  declare i18n: I18n;
  declare selected: string;
  /** Invitations being accepted or declined (a federated join takes seconds): their buttons wait. */
  declare answering: ReadonlyMap<string, "accept" | "decline"> | undefined;

  static override styles = [theme, css`
    :host { display: block; overflow-y: auto; background: #eef1f5; border-right: 1px solid var(--border); padding: 0.5rem; }
    h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); margin: 1rem 0.4rem 0.3rem; }
    h3 { font-size: 0.95rem; margin: 0.6rem 0.4rem 0.2rem; display: flex; justify-content: space-between; }
    ul { list-style: none; margin: 0; padding: 0; }
    a { display: flex; justify-content: space-between; gap: 0.5rem; padding: 0.35rem 0.6rem; border-radius: var(--radius); color: inherit; text-decoration: none; }
    a[aria-current="page"] { background: #dbe4f3; font-weight: 600; }
    a:hover { background: #e2e8f0; }
    .badge { align-self: center; flex: none; background: var(--accent); color: #fff; border-radius: 999px; padding: 0 0.45rem; font-size: 0.8rem; font-weight: 600; }
    .badge.mention { background: var(--danger); }
    .invite { padding: 0.4rem 0.6rem; display: grid; gap: 0.3rem; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.4rem; }
    .name { display: flex; align-items: center; gap: 0.45rem; min-width: 0; }
  `];

  /** The unread count; with mentions of the agent among them, « @ » before it, in red, and said. */
  private badge(c: { unread: number; highlights: number }): unknown {
    const { t } = this.i18n;
    if (c.unread <= 0 && c.highlights <= 0) return nothing;
    const count = Math.max(c.unread, c.highlights);
    return c.highlights > 0
      ? html`<span class="badge mention" aria-label=${t("unreadMentions", { count, mentions: c.highlights })}>@${count}</span>`
      : html`<span class="badge" aria-label=${t("unread", { count })}>${count}</span>`;
  }

  private roomLink(r: RoomSummary): unknown {
    return html`<li><a href=${`#/room/${encodeURIComponent(r.roomId)}`} aria-current=${r.roomId === this.selected ? "page" : "false"} @click=${(e: MouseEvent) => this.chosen(e, r.roomId)}>
      <span class="name"><ent-avatar mxc=${r.avatar ?? ""} name=${r.name} .load=${this.load}></ent-avatar><span>${r.encrypted ? html`<span aria-hidden="true">🔒 </span>` : nothing}${r.name}</span></span>
      ${this.badge(r)}
    </a></li>`;
  }

  /** « Accepter » / « Refuser », or while one of them runs both disabled, the pressed one saying so (aria-busy). */
  private inviteActions(r: RoomSummary): unknown {
    const { t } = this.i18n;
    const answer = this.answering?.get(r.roomId);
    return html`<span class="actions" aria-busy=${answer !== undefined ? "true" : "false"}>
      <button class="primary" ?disabled=${answer !== undefined} @click=${() => this.emit("accept-invite", r.roomId)} aria-label=${t("inviteAnswerNamed", { action: t(answer === "accept" ? "accepting" : "accept"), name: r.name })}>${t(answer === "accept" ? "accepting" : "accept")}</button>
      <button ?disabled=${answer !== undefined} @click=${() => this.emit("decline-invite", r.roomId)} aria-label=${t("inviteAnswerNamed", { action: t(answer === "decline" ? "declining" : "decline"), name: r.name })}>${t(answer === "decline" ? "declining" : "decline")}</button></span>`;
  }

  /** Opened here (click or Enter, not into a new tab): the shell moves focus to the room once shown. */
  private chosen(e: MouseEvent, roomId: string): void {
    if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey) this.emit("room-chosen", roomId);
  }

  private emit(name: string, roomId: string): void {
    this.dispatchEvent(new CustomEvent<string>(name, { detail: roomId, bubbles: true, composed: true }));
  }

  override render(): unknown {
    const { t } = this.i18n;
    const m = this.model;
    return html`<nav aria-label=${t("roomList")}>
      <div class="actions">
        <button @click=${() => this.emit("create-space", "")}>${t("createSpace")}</button>
        <button @click=${() => this.emit("create-room", "")}>${t("createRoom")}</button>
        <button @click=${() => this.emit("create-direct", "")}>${t("createDirect")}</button>
      </div>
      ${m.invites.length > 0 ? html`<h2>${t("invitations")}</h2><ul>${m.invites.map((r) => html`<li class="invite">
        <span>${r.isSpace ? "🗂 " : ""}${r.name}${r.inviter !== undefined ? html` <span class="muted" title=${r.inviter}>— ${t("invitedBy", { who: inviterText(r.inviter, r.inviterName) })}</span>` : nothing}</span>
        ${this.inviteActions(r)}</li>`)}</ul>` : nothing}
      <h2>${t("spaces")}</h2>
      ${m.spaces.map((g) => html`<section aria-label=${g.space.name}>
        <h3><span>${g.space.name}</span>${this.badge(g)}</h3>
        <ul>${g.rooms.map((r) => this.roomLink(r))}</ul></section>`)}
      ${m.directs.length > 0 ? html`<h2>${t("directMessages")}</h2><ul>${m.directs.map((r) => this.roomLink(r))}</ul>` : nothing}
      <h2>${t("otherRooms")}</h2>
      ${m.others.length > 0 ? html`<ul>${m.others.map((r) => this.roomLink(r))}</ul>` : html`<p class="muted">${t("noRooms")}</p>`}
    </nav>`;
  }
}
customElements.define("ent-room-list", RoomListView);
