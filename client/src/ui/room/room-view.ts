// One room: header with invite, the timeline, the composer. Holds the reply/edit state, drafts per
// room and uploads; talks to the session through core/chat-port.ts only.
import { LitElement, css, html, nothing } from "lit";
import type { ChatSession, UploadHandle } from "../../core/chat-port.ts";
import { editContent, reactionContent, replyContent, textContent, threadContent } from "../../core/message-content.ts";
import { POLL_RESPONSE, POLL_START, pollResponseContent, pollStartContent } from "../../core/poll-model.ts";
import { buildThread, buildTimeline, TimelineMemo, type MessageItem, type TimelineItem } from "../../core/timeline-model.ts";
import { lastInThread, mergeThreadEvents } from "../../core/thread-model.ts";
import type { RawEvent } from "../../core/raw-event.ts";
import type { MentionCandidate } from "../../core/mentions.ts";
import type { MemberTrust } from "../../core/room-settings-model.ts";
import { firstUnread, receiptsOnMessages } from "../../core/read-position.ts";
import { TypingNotifier } from "./typing-notifier.ts";
import { errorKind } from "../../core/error-kind.ts";
import { plainError } from "../shared/plain-error.ts";
import { formatSize } from "../../core/attachment-crypto.ts";
import type { ComposerView, UploadProgress } from "../composer/composer-view.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import type { TimelineAction, TimelineView } from "../timeline/timeline-view.ts";
import type { Translate } from "../../core/i18n/translator.ts";
import type { SettingsRequest } from "../room-settings/room-settings-view.ts";
import { applySettingsRequest } from "../room-settings/settings-actions.ts";
import "../composer/composer-view.ts";
import "../shared/room-avatar.ts";
import "../room-settings/room-settings-view.ts";
import "../timeline/timeline-view.ts";
import "../timeline/thread-panel.ts";
import "../widgets/room-widgets-view.ts";
import "../dossiers/archive-export-panel.ts";
import type { ArchiveRun } from "../dossiers/archive-export-panel.ts";
import { roomHash, threadFromHash } from "../app/route.ts";

const drafts = new Map<string, string>();

const typingLine = (t: Translate, names: string[]): string =>
  names.length === 0 ? "" : names.length === 1 ? t("typingOne", { name: names[0] ?? "" }) : t("typingMany", { names: names.join(", ") });
let nextUploadId = 1;

/** "/poll Question | answer | answer" (or /sondage) makes a poll. */
export function parsePollCommand(text: string): { question: string; answers: string[] } | undefined {
  const m = /^\/(?:poll|sondage)\s+(.+)$/s.exec(text);
  if (m?.[1] === undefined) return undefined;
  const [question, ...answers] = m[1].split("|").map((s) => s.trim()).filter((s) => s !== "");
  return question !== undefined && answers.length >= 2 ? { question, answers } : undefined;
}

export class RoomView extends LitElement {
  static override properties = {
    session: { attribute: false }, roomId: { type: String }, thread: { type: String }, i18n: { attribute: false }, version: { type: Number },
    replyTo: { state: true }, editing: { state: true }, uploads: { state: true }, notice: { state: true }, announce: { state: true }, settingsOpen: { state: true },
    unreadFrom: { state: true }, suggestions: { state: true }, trust: { state: true }, threadRoot: { state: true }, threadLoading: { state: true }, settingsNotice: { state: true },
  };
  /** The settings panel's own confirmation ("Enregistré."), shown and announced there only. */
  declare settingsNotice: string;
  declare session: ChatSession;
  declare roomId: string;
  /** a thread root to open (from a #/room/<id>/thread/<root> link), "" for none */
  declare thread: string;
  declare i18n: I18n;
  declare version: number;
  declare replyTo: MessageItem | undefined;
  declare editing: MessageItem | undefined;
  declare uploads: UploadProgress[];
  declare notice: string;
  declare announce: string;
  declare settingsOpen: boolean;
  /** The first message not read when the room was opened, until the agent jumps to it. */
  declare unreadFrom: string | undefined;
  declare suggestions: MentionCandidate[];
  declare trust: ReadonlyMap<string, MemberTrust>;
  private readBy: ReadonlyMap<string, readonly string[]> = new Map();
  private typingNotifier: TypingNotifier | undefined;
  private mentionSeq = 0;
  private items: TimelineItem[] = [];
  /** The open thread panel's root, its replies fetched from /relations, and its items. */
  declare threadRoot: string | undefined;
  declare threadLoading: boolean;
  private threadFetched: RawEvent[] = [];
  private threadItems: TimelineItem[] = [];
  /** Items kept between builds of this room's timeline (reset when the room changes). */
  private memo = new TimelineMemo();
  /**
   * Pages of older history being loaded, per room: the timeline says so (aria-busy) and pages one
   * at a time, for the room shown only (a room left while its page loads keeps its count to itself).
   */
  private readonly historyLoads = new Map<string, number>();
  /** The start of the room reached. */
  private noMore = false;
  private atStart = false;
  /** My read position when the room was opened (opening marks the room read). */
  private readUpToAtOpen: string | undefined;
  private lastSeen = "";
  private readonly handles = new Map<number, UploadHandle>();
  private avatar = "";
  private readonly loadThumb = (mxc: string): Promise<string> => this.session.thumbnail(mxc);

  static override styles = [theme, css`
    :host { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; height: 100%; }
    header { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; padding: 0.5rem 1rem; border-bottom: 1px solid var(--border); background: var(--surface); }
    h1 { font-size: 1.15rem; margin: 0; display: flex; align-items: center; gap: 0.5rem; }
    form { display: flex; gap: 0.4rem; align-items: center; }
    .pane { display: grid; grid-template-columns: minmax(0, 1fr); min-height: 0; position: relative; }
    .pane.with-thread { grid-template-columns: minmax(0, 1fr) minmax(16rem, 26rem); }
    .pane > ent-timeline { min-height: 0; }
    .jump { position: absolute; top: 0.5rem; left: 50%; transform: translateX(-50%); z-index: 1; }
    .typing { min-height: 1.2rem; font-size: 0.85rem; padding: 0 1rem; }
    /* The widgets panel is a 26rem column at the right edge on wide screens: the timeline and
       the composer stay beside it instead of under it (narrow screens: it covers the pane). */
    @media (min-width: 60.01rem) {
      :host([widgets-open]) .pane, :host([widgets-open]) .below { margin-right: min(26rem, 100vw); }
    }
  `];

  constructor() {
    super();
    this.version = 0;
    this.replyTo = undefined;
    this.editing = undefined;
    this.uploads = [];
    this.notice = "";
    this.announce = "";
    this.settingsOpen = false;
    this.unreadFrom = undefined;
    this.thread = "";
    this.threadRoot = undefined;
    this.threadLoading = false;
    this.suggestions = [];
    this.trust = new Map();
    this.settingsNotice = "";
  }

  override willUpdate(changed: Map<string, unknown>): void {
    const raw = this.session.roomEvents(this.roomId);
    const shown = (): Set<string> => new Set(this.items.flatMap((i) => (i.kind === "message" ? [i.eventId] : [])));
    if (changed.has("version") && this.settingsOpen) void this.refreshTrust();
    if (changed.has("roomId") || changed.has("version") || changed.has("session")) {
      this.avatar = this.session.roomAvatar(this.roomId) ?? "";
      if (changed.has("roomId")) {
        this.memo = new TimelineMemo();
        this.noMore = false;
        this.threadRoot = undefined;
      }
      this.atStart = this.noMore || raw[0]?.type === "m.room.create";
      this.items = buildTimeline(raw, this.session.userId, this.session.pollEnders?.(this.roomId), this.memo);
      this.threadItems = this.threadRoot === undefined ? [] : buildThread(mergeThreadEvents(raw, this.threadFetched), this.session.userId, this.threadRoot);
      this.readBy = receiptsOnMessages(raw.map((e) => e.eventId), shown(), this.session.readReceipts(this.roomId));
    }
    if (changed.has("roomId")) {
      // Before this view marks the room read below.
      const unread = this.session.state().rooms.find((r) => r.roomId === this.roomId)?.unread ?? 0;
      this.readUpToAtOpen = this.session.myReadUpTo(this.roomId);
      const from = firstUnread(raw, shown(), this.readUpToAtOpen, this.session.userId, unread);
      const last = this.items.at(-1);
      this.unreadFrom = from !== undefined && !(last?.kind === "message" && last.eventId === from) ? from : undefined;
      this.typingNotifier?.stop();
      const roomId = this.roomId;
      this.typingNotifier = new TypingNotifier((typing) => this.session.setTyping(roomId, typing));
      this.suggestions = [];
    }
    if (changed.has("roomId") || changed.has("version") || changed.has("session")) {
      const last = this.items.at(-1);
      if (last?.kind === "message" && last.eventId !== this.lastSeen) {
        if (this.lastSeen !== "" && last.sender !== this.session.userId && !changed.has("roomId")) {
          this.announce = this.i18n.t("newMessage", { name: this.session.memberName(this.roomId, last.sender) });
        }
        this.lastSeen = last.eventId;
        void this.session.markRead(this.roomId).catch(() => undefined);
      }
    }
    if (changed.has("roomId")) {
      this.settingsOpen = false;
      this.replyTo = undefined;
      this.editing = undefined;
      this.lastSeen = "";
    }
  }

  /** Rebuild the items from the session's events now (after a page of history, a fetched thread). */
  private refresh(): void {
    this.requestUpdate("version", Number.NaN);
  }

  private timeline(): TimelineView | null {
    return this.renderRoot.querySelector<TimelineView>(".pane > ent-timeline");
  }

  /** One page of older events; the timeline is busy meanwhile. False when the start of the room is reached. */
  private async loadPage(roomId: string): Promise<boolean> {
    this.countLoad(roomId, 1);
    try {
      const more = await this.session.loadOlder(roomId);
      if (!more && roomId === this.roomId) this.noMore = true;
      return more;
    } finally {
      this.countLoad(roomId, -1);
    }
  }

  private countLoad(roomId: string, delta: number): void {
    const n = (this.historyLoads.get(roomId) ?? 0) + delta;
    if (n > 0) this.historyLoads.set(roomId, n);
    else this.historyLoads.delete(roomId);
    if (roomId === this.roomId) this.requestUpdate();
  }

  /** Whether a page of the shown room's history is loading. */
  private loadingHistory(): boolean {
    return this.historyLoads.has(this.roomId);
  }

  /** The timeline reached its top: one page of older events (the timeline keeps the view in place);
   * one page at a time, none while a jump is loading history. */
  private older(): void {
    if (this.loadingHistory() || this.atStart) return;
    const roomId = this.roomId;
    void this.loadPage(roomId).catch((e: unknown) => {
      if (roomId === this.roomId) this.notice = e instanceof Error ? e.message : String(e);
    }).finally(() => this.refresh());
  }

  /** Shows a message, loading older history until it is there (reply click, first unread). */
  private async jumpTo(eventId: string): Promise<void> {
    const roomId = this.roomId;
    for (let page = 0; page < 500 && roomId === this.roomId; page++) {
      await this.updateComplete;
      const view = this.timeline();
      await view?.updateComplete;
      if (view === null) return;
      if (view.has(eventId)) {
        await view.reveal(eventId);
        return;
      }
      if (this.atStart) break;
      await this.loadPage(roomId);
      this.refresh();
    }
    this.notice = this.i18n.t("threadNotFound");
  }

  override updated(changed: Map<string, unknown>): void {
    // A thread link (e.g. a task's « Ouvrir le fil » in "Mes tâches") opens it once the room is there.
    if ((changed.has("thread") || changed.has("roomId")) && this.thread !== "" && this.threadRoot !== this.thread) this.openThread(this.thread);
  }

  /** Closes the thread; a thread link in the address goes back to the room's, so the link works again. */
  private closeThread(): void {
    this.threadRoot = undefined;
    if (threadFromHash(location.hash) !== undefined) location.hash = roomHash(this.roomId);
  }

  private openThread(rootId: string): void {
    this.threadRoot = rootId;
    this.threadFetched = [];
    this.threadLoading = this.session.threadEvents !== undefined;
    this.refresh();
    const roomId = this.roomId;
    void this.session.threadEvents?.(roomId, rootId).then((events) => {
      if (this.threadRoot !== rootId || this.roomId !== roomId) return;
      this.threadFetched = events;
      this.refresh();
    }, (e: unknown) => { this.notice = e instanceof Error ? e.message : String(e); }).finally(() => {
      if (this.threadRoot === rootId) this.threadLoading = false;
    });
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement & { focusText(): void }>("ent-thread-panel")?.focusText());
  }

  /** An m.thread reply in the standard shape (falling back to the thread's latest event). */
  private async sendInThread(text: string): Promise<void> {
    const root = this.threadRoot;
    if (root === undefined) return;
    const events = mergeThreadEvents(this.session.roomEvents(this.roomId), this.threadFetched);
    await this.session.send(this.roomId, "m.room.message", threadContent(text, root, lastInThread(events, root)));
  }

  private composer(): ComposerView | null {
    return this.renderRoot.querySelector("ent-composer");
  }

  private async onAction(a: TimelineAction): Promise<void> {
    const s = this.session;
    switch (a.action) {
      case "reply":
        this.editing = undefined;
        this.replyTo = a.item;
        this.composer()?.focusText();
        return;
      case "edit":
        this.replyTo = undefined;
        this.editing = a.item;
        this.composer()?.focusText(a.item.body);
        return;
      case "react": {
        const mine = a.item.reactions.find((r) => r.key === a.value && r.mine);
        if (mine?.myEventId !== undefined) await s.redact(this.roomId, mine.myEventId);
        else if (a.value !== undefined) await s.send(this.roomId, "m.reaction", reactionContent(a.item.eventId, a.value));
        return;
      }
      case "redact":
        await s.redact(this.roomId, a.item.eventId);
        return;
      case "vote":
        if (a.value !== undefined) await s.send(this.roomId, POLL_RESPONSE, pollResponseContent(a.item.eventId, a.value));
        return;
      case "retry":
        await s.retry(this.roomId, a.item.eventId);
        return;
      case "thread":
        this.openThread(a.item.eventId);
        return;
      case "goto":
        if (a.value !== undefined) await this.jumpTo(a.value);
        return;
      case "download": {
        if (a.item.file === undefined) return;
        const blob = await s.download(a.item.file);
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = a.item.file.name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
        return;
      }
    }
  }

  private async send(text: string): Promise<void> {
    const poll = parsePollCommand(text);
    const content = poll !== undefined ? pollStartContent(poll.question, poll.answers)
      : this.editing !== undefined ? editContent(this.editing.eventId, text)
      : this.replyTo !== undefined ? replyContent(text, { eventId: this.replyTo.eventId, sender: this.replyTo.sender })
      : textContent(text);
    this.replyTo = undefined;
    this.editing = undefined;
    drafts.delete(this.roomId);
    this.typingNotifier?.stop();
    await this.session.send(this.roomId, poll !== undefined ? POLL_START : "m.room.message", content);
  }

  /** Too large for the server (its m.upload.size) is said before anything is sent. */
  private async upload(file: File): Promise<void> {
    const max = await this.session.maxUploadSize();
    if (max !== undefined && file.size > max) {
      this.notice = this.i18n.t("fileTooLargeMax", { name: file.name, max: formatSize(max, this.i18n.locale) });
      return;
    }
    const id = nextUploadId++;
    this.uploads = [...this.uploads, { id, name: file.name, loaded: 0, total: file.size }];
    const handle = this.session.upload(this.roomId, file, (loaded, total) => {
      this.uploads = this.uploads.map((u) => (u.id === id ? { ...u, loaded, total } : u));
    });
    this.handles.set(id, handle);
    const finish = (notice: string): void => {
      this.handles.delete(id);
      this.uploads = this.uploads.filter((u) => u.id !== id);
      this.notice = notice;
    };
    handle.done.then(() => finish(""), (e: unknown) => finish(e instanceof Error && e.name === "UploadCancelled" ? this.i18n.t("uploadCancelled") : this.uploadError(e, file.name)));
  }

  /** File errors in plain words: offline, server not answering, too large, storage full. */
  private uploadError(e: unknown, name: string): string {
    const { t } = this.i18n;
    switch (errorKind(e, navigator.onLine)) {
      case "offline": return t("fileOffline", { name });
      case "unreachable": return t("fileUnreachable", { name });
      case "quota": return t("fileQuota", { name });
      case "too-large": return t("fileTooLarge");
      default: return t("uploadFailed");
    }
  }

  private async invite(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("invitee") as HTMLInputElement;
    const userId = input.value.trim();
    if (userId === "") return;
    try {
      await this.session.invite(this.roomId, userId);
      this.notice = this.i18n.t("invited");
      input.value = "";
    } catch (err: unknown) {
      this.notice = plainError(this.i18n.t, err);
    }
  }

  private openSettings(): void {
    this.settingsOpen = true;
    this.notice = "";
    this.settingsNotice = "";
    void this.session.loadMembers(this.roomId).catch(() => undefined);
    void this.refreshTrust();
  }

  /** Device trust of the other members, while the settings are open (crypto answers from its store). */
  private async refreshTrust(): Promise<void> {
    // several may run at once (each sync batch asks again): only the latest, for this room, counts
    const call = ++this.trustCalls;
    const roomId = this.roomId;
    const others = (this.session.roomSettings(roomId)?.members ?? []).map((m) => m.userId).filter((u) => u !== this.session.userId);
    const trust = await this.session.memberTrust(others).catch(() => new Map<string, MemberTrust>());
    if (call === this.trustCalls && roomId === this.roomId && this.settingsOpen) this.trust = trust;
  }
  private trustCalls = 0;

  private async onSettings(req: SettingsRequest): Promise<void> {
    // Cleared first: the same confirmation twice in a row is still announced by the live region.
    this.settingsNotice = "";
    const out = await applySettingsRequest(this.session, this.roomId, req, this.i18n);
    if (out.kind === "close") this.settingsOpen = false;
    else if (out.kind === "left") location.hash = "";
    else this.settingsNotice = out.text;
  }

  /** To the first message after my read position at opening, loading older history back to it. */
  private async jumpToUnread(): Promise<void> {
    const id = this.unreadFrom;
    if (id === undefined) return;
    this.unreadFrom = undefined;
    const readUpTo = this.readUpToAtOpen;
    const roomId = this.roomId;
    const loaded = (): boolean => this.session.roomEvents(roomId).some((e) => e.eventId === readUpTo);
    if (readUpTo === undefined || loaded()) return this.jumpTo(id);
    for (let page = 0; page < 500 && !this.noMore && roomId === this.roomId && !loaded(); page++) {
      await this.loadPage(roomId);
    }
    this.refresh();
    await this.updateComplete;
    const raw = this.session.roomEvents(roomId);
    const shown = new Set(this.items.flatMap((i) => (i.kind === "message" ? [i.eventId] : [])));
    await this.jumpTo(firstUnread(raw, shown, readUpTo, this.session.userId, 1) ?? id);
  }

  private async mentionQuery(query: string | undefined): Promise<void> {
    const seq = ++this.mentionSeq;
    const found = query === undefined ? [] : await this.session.searchPeople(this.roomId, query).catch(() => []);
    if (seq === this.mentionSeq) this.suggestions = found;
  }

  private banner(): string {
    const { t } = this.i18n;
    if (this.editing !== undefined) return t("editing");
    if (this.replyTo !== undefined) return t("replyingTo", { name: this.session.memberName(this.roomId, this.replyTo.sender) });
    return "";
  }

  override render(): unknown {
    const { t } = this.i18n;
    const s = this.session;
    const err = (e: unknown): void => { this.notice = plainError(this.i18n.t, e); };
    const settings = this.settingsOpen ? s.roomSettings(this.roomId) : undefined;
    return html`
      <header>
        <h1 id="room-title"><ent-avatar mxc=${this.avatar} name=${s.roomName(this.roomId)} size="32" .load=${this.loadThumb}></ent-avatar> ${s.roomName(this.roomId)}${s.isEncrypted(this.roomId) ? html` <span class="muted" title=${t("encrypted")} aria-label=${t("encrypted")}>🔒</span>` : nothing}</h1>
        <form @submit=${(e: SubmitEvent) => void this.invite(e)}>
          <label class="visually-hidden" for="invitee">${t("inviteLabel")}</label>
          <input id="invitee" name="invitee" placeholder="@agent:collectivite.fr" />
          <button type="submit">${t("invite")}</button>
        </form>
        <button aria-expanded=${this.settingsOpen ? "true" : "false"} @click=${() => (this.settingsOpen ? (this.settingsOpen = false) : this.openSettings())}>${t("roomSettings")}</button>
        <div role="status" class="muted">${this.settingsOpen ? "" : this.notice}</div>
        <ent-room-widgets .session=${s} roomId=${this.roomId} version=${this.version} .i18n=${this.i18n}
          @widgets-panel=${(e: CustomEvent<boolean>) => this.toggleAttribute("widgets-open", e.detail)}></ent-room-widgets>
      </header>
      ${this.settingsOpen && settings !== undefined ? html`<ent-room-settings .settings=${settings} .trust=${this.trust} .i18n=${this.i18n} notice=${this.settingsNotice} .load=${this.loadThumb}
        @settings-request=${(e: CustomEvent<SettingsRequest>) => void this.onSettings(e.detail)}>${s.dossiers === undefined ? nothing
          : ((port) => html`<ent-archive-export slot="extra" .i18n=${this.i18n} .run=${(onProgress: Parameters<ArchiveRun>[0]) => port.exportArchive(this.roomId, onProgress)}></ent-archive-export>`)(s.dossiers())}</ent-room-settings>` : html`
      <div class=${this.threadRoot !== undefined ? "pane with-thread" : "pane"}>
        ${this.unreadFrom !== undefined ? html`<button class="jump" @click=${() => void this.jumpToUnread().catch(err)}>${t("jumpToUnread")}</button>` : nothing}
        <ent-timeline .items=${this.items} .readBy=${this.readBy} .i18n=${this.i18n} me=${s.userId} .nameOf=${(u: string) => s.memberName(this.roomId, u)} ?atStart=${this.atStart} ?busy=${this.loadingHistory()}
          @timeline-older=${() => this.older()}
          @timeline-action=${(e: CustomEvent<TimelineAction>) => void this.onAction(e.detail).catch(err)}></ent-timeline>
        ${this.threadRoot !== undefined ? html`<ent-thread-panel .items=${this.threadItems} .i18n=${this.i18n} me=${s.userId} .nameOf=${(u: string) => s.memberName(this.roomId, u)} ?loading=${this.threadLoading}
          @timeline-action=${(e: CustomEvent<TimelineAction>) => { e.stopPropagation(); void this.onAction(e.detail).catch(err); }}
          @thread-send=${(e: CustomEvent<string>) => void this.sendInThread(e.detail).catch(err)}
          @thread-close=${() => this.closeThread()}></ent-thread-panel>` : nothing}
      </div>`}
      <div class="below">
        <div class="visually-hidden" aria-live="polite" role="status">${this.announce}</div>
        <div class="typing muted" aria-live="polite">${typingLine(t, s.typing(this.roomId))}</div>
        <ent-composer .i18n=${this.i18n} banner=${this.banner()} draft=${drafts.get(this.roomId) ?? ""} .uploads=${this.uploads}
          @compose-send=${(e: CustomEvent<string>) => void this.send(e.detail).catch(err)}
          .suggestions=${this.suggestions} @mention-query=${(e: CustomEvent<string | null>) => void this.mentionQuery(e.detail ?? undefined)}
          @compose-draft=${(e: CustomEvent<string>) => { drafts.set(this.roomId, e.detail); this.typingNotifier?.draftChanged(e.detail); }}
          @compose-cancel=${() => { this.replyTo = undefined; this.editing = undefined; }}
          @compose-file=${(e: CustomEvent<File>) => void this.upload(e.detail)}
          @upload-cancel=${(e: CustomEvent<number>) => this.handles.get(e.detail)?.cancel()}></ent-composer>
      </div>`;
  }
}
customElements.define("ent-room", RoomView);
