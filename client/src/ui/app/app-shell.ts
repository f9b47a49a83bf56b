// The application: sign-in, then the chat layout (room list | room), the recovery prompt, the
// offline banner, language switch and page title. The session is started by an injected loader,
// so the SDK (and its WebAssembly) is fetched only after sign-in.
import { LitElement, css, html, nothing } from "lit";
import type { ChatSession } from "../../core/chat-port.ts";
import type { ClientConfig } from "../../core/client-config.ts";
import { pickLocale, translator, type Locale } from "../../core/i18n/translator.ts";
import { fetchRoomPreview } from "../../core/room-list-preview.ts";
import { buildRoomList, pageTitle, type RoomSummary } from "../../core/room-list-model.ts";
import { clearFirstReadHints } from "../../core/widgets/first-read-hint.ts";
import { clearWidgetApprovals } from "../../core/widgets/capability-approvals.ts";
import { clearSession, loadSession, passwordSignIn, resolveHomeserver, saveSession, SignInError, type Session } from "../../core/sign-in.ts";
import type { CreateDialog, CreateRequest } from "../dialogs/create-dialog.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import type { SignInRequest } from "../sign-in/sign-in-view.ts";
import { roomFromHash, roomHash, threadFromHash } from "./route.ts";
import { OneTab } from "./one-tab.ts";
import { focusMain } from "./main-focus.ts";
import "../sign-in/sign-in-view.ts";
import "../room-list/room-list-view.ts";
import "../room/room-view.ts";
import "../dialogs/create-dialog.ts";
import "../dialogs/recovery-dialog.ts";
import "../dialogs/verification-dialog.ts";
import "../dossiers/dossiers-outlet.ts";
import "./notifications-toggle.ts";
import "./profile-dialog.ts";
import { runVerificationAction } from "../dialogs/verification-actions.ts";
import type { VerificationAction } from "../dialogs/verification-dialog.ts";
import type { MediaRequest } from "../timeline/image-preview.ts";
import { answerMediaRequest } from "../timeline/media-answer.ts";
import type { PollCloseRequest } from "../timeline/poll-card.ts";
import { closePoll } from "../timeline/poll-actions.ts";
import "../widgets/account-widgets-view.ts";
import "../tasks/tasks-outlet.ts";

export type SessionLoader = (s: Session, password: string | undefined) => Promise<ChatSession>;

export class AppShell extends LitElement {
  static override properties = {
    config: { attribute: false }, loader: { attribute: false },
    i18n: { state: true }, session: { state: true }, version: { state: true }, room: { state: true }, thread: { state: true },
    signInError: { state: true }, busy: { state: true }, preview: { state: true }, otherTab: { state: true }, recoveryError: { state: true }, booted: { state: true },
    answering: { state: true },
  };
  declare config: ClientConfig;
  declare loader: SessionLoader;
  declare i18n: I18n;
  declare session: ChatSession | undefined;
  declare version: number;
  declare room: string | undefined;
  /** the thread a #/room/<id>/thread/<root> link opens in that room */
  declare thread: string | undefined;
  declare signInError: string;
  declare busy: boolean;
  /** Another tab holds the session ("busy"), or took it from this one ("moved"). */
  declare otherTab: false | "busy" | "moved";
  declare recoveryError: string;
  declare booted: boolean;
  /** The room list from a plain-fetch /sync, shown while the SDK and its crypto start. */
  declare preview: RoomSummary[] | undefined;
  /** Invitations whose « Accepter » or « Refuser » is under way (see RoomListView.answering). */
  declare answering: ReadonlyMap<string, "accept" | "decline">;
  private oneTab: OneTab | undefined;
  /** The session being started (SDK, crypto store), which a take-over waits for before stopping it. */
  private opening: Promise<ChatSession> | undefined;
  /** Resolves with the session once it is up: an invitation answered from the preview list waits for it. */
  private started = Promise.withResolvers<ChatSession>();

  static override styles = [theme, css`
    /* A column: the top bar (one or more lines), banners, then the layout takes what is left, so
       the composer stays on screen whatever the top bar's height. */
    :host { display: flex; flex-direction: column; height: 100vh; }
    ent-sign-in { flex: 1; min-height: 0; }
    .top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: 0.4rem 1rem; background: #1e293b; color: #fff; }
    .top strong { font-size: 1.1rem; }
    /* Items keep their width (no "Mes / tâches" on two lines); the bar wraps between them instead. */
    .top .me { display: flex; flex-wrap: wrap; justify-content: flex-end; align-items: center; gap: 0.4rem 0.6rem; }
    .top .me > * { flex-shrink: 0; }
    .top label { display: flex; gap: 0.3rem; align-items: center; }
    .layout { display: grid; grid-template-columns: 18rem 1fr; flex: 1; min-height: 0; }
    .banner { background: #fef2f2; color: #7f1d1d; padding: 0.4rem 1rem; }
    .empty { display: grid; place-items: center; color: var(--muted); }
    .wait { padding: 2rem; }
    /* « Aller au contenu »: first in the tab order, shown when focused. */
    .skip { position: absolute; left: 0.5rem; top: -10rem; z-index: 20; background: #fff; color: #1e293b; padding: 0.5rem 0.9rem; border: 2px solid var(--accent); border-radius: var(--radius); }
    .skip:focus { top: 0.5rem; }
  `];

  /** Runs an invitation's answer once at a time: the list shows it under way until it settles (an error goes to `fail`). */
  private answerInvite(roomId: string, answer: "accept" | "decline", run: () => Promise<void>, fail: (e: unknown) => void): void {
    if (this.answering.has(roomId)) return;
    this.answering = new Map([...this.answering, [roomId, answer]]);
    void run().catch(fail).finally(() => {
      const left = new Map(this.answering);
      left.delete(roomId);
      this.answering = left;
    });
  }

  constructor() {
    super();
    const locale = pickLocale(localStorage.getItem("entente.locale"), navigator.languages);
    this.i18n = { locale, t: translator(locale) };
    this.version = 0;
    this.room = roomFromHash(location.hash);
    this.thread = threadFromHash(location.hash);
    this.signInError = "";
    this.busy = false;
    this.otherTab = false;
    this.recoveryError = "";
    this.booted = false;
    this.answering = new Map();
    this.config = { councils: [], defaultCouncil: undefined };
    this.loader = () => Promise.reject(new Error("not booted"));
  }

  /** The top bar being watched: its bottom edge is `--top-bar-bottom`, for panels placed under it. */
  private topBar: Element | undefined;
  private readonly topBarSize = new ResizeObserver(() => this.exposeTopBar());

  private exposeTopBar(): void {
    const bottom = this.topBar?.isConnected === true ? this.topBar.getBoundingClientRect().bottom : undefined;
    if (bottom === undefined) this.style.removeProperty("--top-bar-bottom");
    else this.style.setProperty("--top-bar-bottom", `${Math.ceil(bottom)}px`);
  }

  /** A room the agent opened from the room list: its heading takes focus once it is shown (never on live updates). */
  private roomToFocus: string | undefined;

  private roomChosen(roomId: string): void {
    this.roomToFocus = roomId;
    if (roomId === this.room) void this.focusOpenedRoom();
  }

  private async focusOpenedRoom(): Promise<void> {
    this.roomToFocus = undefined;
    // The outlets follow the address too, in their own hashchange listeners that run after this
    // shell's update: past this task they have all scheduled theirs, and the room is what shows.
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all([...this.renderRoot.querySelectorAll<LitElement>("ent-tasks-outlet, ent-dossiers-outlet, ent-room")].map((e) => e.updateComplete));
    focusMain(this.renderRoot);
  }

  /** « Aller au contenu »: focus, not the address (a #fragment would leave the room's #/room/… link). */
  private skipToContent(e: Event): void {
    e.preventDefault();
    focusMain(this.renderRoot);
  }

  /** Watches the top bar rendered now (sign-in, recovery and signed-in screens have their own). */
  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (this.roomToFocus !== undefined && this.roomToFocus === this.room) void this.focusOpenedRoom();
    const bar = this.renderRoot.querySelector("header.top") ?? undefined;
    if (bar === this.topBar) return;
    if (this.topBar !== undefined) this.topBarSize.unobserve(this.topBar);
    this.topBar = bar;
    if (bar !== undefined) this.topBarSize.observe(bar);
    this.exposeTopBar();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", () => { this.room = roomFromHash(location.hash); this.thread = threadFromHash(location.hash); });
    // Messages waiting for the server live in this page only: the browser asks before leaving it.
    window.addEventListener("beforeunload", (e) => {
      if ((this.session?.waitingSends?.() ?? 0) > 0) e.preventDefault();
    });
    document.documentElement.lang = this.i18n.locale;
  }

  /**
   * Called once by main.ts with config.json and the session loader; reopens a saved session.
   * `preview`: the room-list /sync main.ts started for that session while config.json loaded.
   */
  boot(config: ClientConfig, loader: SessionLoader, preview?: Promise<RoomSummary[] | undefined>): void {
    this.config = config;
    this.loader = loader;
    this.booted = true;
    const saved = loadSession(localStorage);
    if (saved !== undefined) void this.open(saved, undefined, preview);
  }

  private setLocale(locale: Locale): void {
    localStorage.setItem("entente.locale", locale);
    document.documentElement.lang = locale;
    this.i18n = { locale, t: translator(locale) };
  }

  /** One tab syncs a session: a second one says so instead of corrupting the crypto store. */
  private lock(userId: string): Promise<boolean> {
    this.oneTab?.done();
    this.oneTab = new OneTab(userId, () => this.takenAway());
    return this.oneTab.tryAcquire();
  }

  /** Another tab chose "Utiliser ici": stop syncing here before it starts. */
  private async takenAway(): Promise<void> {
    this.otherTab = "moved";
    // A session still starting here is stopped once started: the lock is released only then, so
    // the two tabs never open the crypto store at the same time.
    const started = await this.opening?.catch(() => undefined);
    if (started !== undefined && started !== this.session) started.stop();
    this.session?.stop();
    this.session = undefined;
    this.preview = undefined;
    this.started = Promise.withResolvers<ChatSession>();
  }

  /** "Utiliser ici": the other tab stops, this one opens the saved session. */
  private async useHere(): Promise<void> {
    const saved = loadSession(localStorage);
    if (saved === undefined) {
      this.otherTab = false;
      return;
    }
    this.oneTab?.done();
    this.oneTab = new OneTab(saved.userId, () => this.takenAway());
    this.busy = true;
    await this.oneTab.takeOver();
    this.otherTab = false;
    await this.open(saved, undefined, undefined, true);
  }

  private async open(s: Session, password: string | undefined, early?: Promise<RoomSummary[] | undefined>, locked = false): Promise<void> {
    if (!locked && !(await this.lock(s.userId))) {
      this.otherTab = "busy";
      return;
    }
    this.busy = true;
    try {
      // A saved session: show the room list first (one small /sync), then pay for the SDK, its
      // WebAssembly and crypto store. Sequential on purpose: on 2 busy cores, parsing the SDK chunk
      // alongside would delay the list by about as much as it would save.
      if (password === undefined) {
        const preview = await (early ?? fetchRoomPreview(s, (u, i) => fetch(u, i)));
        if (preview !== undefined && this.session === undefined) {
          this.preview = preview;
          await this.updateComplete;
          performance.mark("entente:preview-list");
        }
      }
      this.opening = this.loader(s, password);
      const session = await this.opening;
      if (this.otherTab === "moved") return; // taken over by another tab while starting: takenAway() stops it
      session.subscribe(() => { this.version++; });
      this.session = session;
      this.preview = undefined;
      this.started.resolve(session);
    } catch (e: unknown) {
      this.preview = undefined;
      this.signInError = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
    }
  }

  private async signIn(r: SignInRequest): Promise<void> {
    this.busy = true;
    this.signInError = "";
    try {
      const council = this.config.councils.find((c) => c.id === r.councilId);
      const { baseUrl, user } = await resolveHomeserver(r.user, council, this.config.councils, (u, i) => fetch(u, i));
      const s = await passwordSignIn(baseUrl, user, r.password, (u, i) => fetch(u, i));
      saveSession(localStorage, s);
      await this.open(s, r.password);
    } catch (e: unknown) {
      this.signInError = e instanceof SignInError ? this.i18n.t(e.reason) : e instanceof Error ? e.message : String(e);
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    await this.session?.signOut();
    clearSession(localStorage);
    clearFirstReadHints(localStorage);
    clearWidgetApprovals(localStorage);
    this.session = undefined;
    this.started = Promise.withResolvers<ChatSession>();
    this.oneTab?.done();
    location.hash = "";
  }

  private async create(r: CreateRequest): Promise<void> {
    const s = this.session;
    if (s === undefined) return;
    const id = r.kind === "space" ? await s.createSpace(r.name) : r.kind === "direct" ? await s.createDirect(r.userId) : await s.createRoom(r);
    if (r.kind !== "space") location.hash = roomHash(id);
  }

  private async restore(key: string): Promise<void> {
    this.recoveryError = "";
    try {
      await this.session?.restoreFromRecoveryKey(key);
    } catch {
      this.recoveryError = this.i18n.t("restoreFailed");
    }
  }

  private thumbLoader: { session: ChatSession; load: (mxc: string) => Promise<string> } | undefined;
  /** One loader per session, so the room list's avatars are not re-requested on every render. */
  private thumbnails(s: ChatSession): (mxc: string) => Promise<string> {
    if (this.thumbLoader?.session !== s) this.thumbLoader = { session: s, load: (mxc) => s.thumbnail(mxc) };
    return this.thumbLoader.load;
  }

  private languageSwitch(): unknown {
    const { t, locale } = this.i18n;
    return html`<label>${t("language")}
      <select @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value === "en" ? "en" : "fr")}>
        <option value="fr" ?selected=${locale === "fr"} lang="fr">Français</option>
        <option value="en" ?selected=${locale === "en"} lang="en">English</option>
      </select></label>`;
  }

  /** The list is usable (links, routing) while the room pane waits for encryption to start. */
  private renderPreview(rooms: RoomSummary[]): unknown {
    const { t } = this.i18n;
    const list = buildRoomList(rooms);
    document.title = pageTitle(t("appName"), list.totalUnread);
    // Pressed before the SDK is up, an invitation's answer waits for it (« Acceptation… »), instead of being lost.
    const fail = (e: unknown): void => { this.recoveryError = e instanceof Error ? e.message : String(e); };
    // so are « Nouveau salon », « Nouvelle conversation »…: their dialog opens once the session is up
    const openWhenReady = (kind: "space" | "room" | "direct"): void => void this.started.promise.then(async () => {
      await this.updateComplete;
      this.renderRoot.querySelector<CreateDialog>("ent-create-dialog")?.open(kind);
    });
    return html`<header class="top"><strong>${t("appName")}</strong><div class="me">${this.languageSwitch()}</div></header>
      <div class="layout">
        <ent-room-list .model=${list} .i18n=${this.i18n} selected=${this.room ?? ""} .answering=${this.answering}
          @create-space=${() => openWhenReady("space")} @create-room=${() => openWhenReady("room")} @create-direct=${() => openWhenReady("direct")}
          @accept-invite=${(e: CustomEvent<string>) => this.answerInvite(e.detail, "accept", async () => (await this.started.promise).join(e.detail), fail)}
          @decline-invite=${(e: CustomEvent<string>) => this.answerInvite(e.detail, "decline", async () => (await this.started.promise).leave(e.detail), fail)}></ent-room-list>
        <main class="empty" aria-busy="true"><p>${t("preparingEncryption")}</p></main>
      </div>`;
  }

  override render(): unknown {
    const { t } = this.i18n;
    if (this.otherTab !== false) {
      return html`<main class="wait"><h1>${t(this.otherTab === "moved" ? "movedToOtherTab" : "otherTabTitle")}</h1>
        <p>${t("otherTabHint")}</p>
        <button class="primary" ?disabled=${this.busy} @click=${() => void this.useHere()}>${t("useHere")}</button></main>`;
    }
    const s = this.session;
    if (!this.booted) return html`<main class="wait" aria-busy="true"></main>`;
    if (s === undefined) {
      if (this.preview !== undefined) return this.renderPreview(this.preview);
      if (this.busy && this.signInError === "" && loadSession(localStorage) !== undefined) return html`<main class="wait" aria-busy="true">${t("preparingEncryption")}</main>`;
      return html`<div class="top"><strong>${t("appName")}</strong>${this.languageSwitch()}</div>
        <ent-sign-in .councils=${this.config.councils} .i18n=${this.i18n} ?busy=${this.busy} error=${this.signInError}
          @sign-in-request=${(e: CustomEvent<SignInRequest>) => void this.signIn(e.detail)}></ent-sign-in>`;
    }
    const state = s.state();
    const list = buildRoomList(state.rooms);
    const room = this.room !== undefined && state.rooms.some((r) => r.roomId === this.room && r.membership === "join") ? this.room : undefined;
    document.title = pageTitle(t("appName"), list.totalUnread, room !== undefined ? s.roomName(room) : undefined);
    const dialog = (): CreateDialog | null => this.renderRoot.querySelector("ent-create-dialog");
    const fail = (e: unknown): void => { this.recoveryError = e instanceof Error ? e.message : String(e); };
    return html`<a class="skip" href="#contenu" @click=${(e: Event) => this.skipToContent(e)}>${t("skipToContent")}</a>
      <header class="top"><strong>${t("appName")}</strong>
        <div class="me"><ent-notifications-toggle .i18n=${this.i18n} .session=${s}></ent-notifications-toggle><ent-tasks-nav .i18n=${this.i18n} ?hidden=${s.tasks === undefined}></ent-tasks-nav><ent-dossiers-nav .i18n=${this.i18n} ?hidden=${s.dossiers === undefined}></ent-dossiers-nav><ent-account-widgets .session=${s} .i18n=${this.i18n} roomId=${room ?? ""} version=${this.version}></ent-account-widgets>${this.languageSwitch()}<ent-profile .i18n=${this.i18n} .port=${s.profile?.()} userId=${s.userId}></ent-profile>
          <button @click=${() => void this.signOut()}>${t("signOut")}</button></div></header>
      ${state.sync === "offline" ? html`<div class="banner" role="alert">${t("offline")}</div>` : nothing}
      <ent-recovery .i18n=${this.i18n} .recovery=${state.recovery} error=${this.recoveryError}
        @recovery-saved=${() => s.recoveryKeySaved()} @recovery-later=${() => s.recoveryKeySaved()}
        @recovery-restore=${(e: CustomEvent<string>) => void this.restore(e.detail)}
        @verify-own-device=${() => void s.verification?.().verifyOwnDevice().catch(fail)}></ent-recovery>
      <ent-verification .i18n=${this.i18n} .view=${s.verification?.().current()}
        @verification-action=${(e: CustomEvent<VerificationAction>) => { const v = s.verification?.(); if (v !== undefined) void runVerificationAction(v, e.detail).catch(fail); }}></ent-verification>
      <div class="layout" @verify-user=${(e: CustomEvent<string>) => { if (room !== undefined) void s.verification?.().verifyUser(e.detail, room).catch(fail); }}
        @media-request=${(e: CustomEvent<MediaRequest>) => e.detail.respond(answerMediaRequest(s, e.detail))}
        @poll-close=${(e: CustomEvent<PollCloseRequest>) => { if (room !== undefined) void closePoll(s, room, e.detail, t).catch(fail); }}>
        <ent-room-list .model=${list} .i18n=${this.i18n} selected=${room ?? ""} .load=${this.thumbnails(s)} @room-chosen=${(e: CustomEvent<string>) => this.roomChosen(e.detail)}
          @create-space=${() => dialog()?.open("space")} @create-room=${() => dialog()?.open("room")} @create-direct=${() => dialog()?.open("direct")}
.answering=${this.answering}
          @accept-invite=${(e: CustomEvent<string>) => this.answerInvite(e.detail, "accept", () => s.join(e.detail), fail)}
          @decline-invite=${(e: CustomEvent<string>) => this.answerInvite(e.detail, "decline", () => s.leave(e.detail), fail)}></ent-room-list>
        <ent-dossiers-outlet .port=${s.dossiers?.()} .shares=${s.shares?.()} .i18n=${this.i18n} version=${this.version}><ent-tasks-outlet .port=${s.tasks?.()} .i18n=${this.i18n}>${room !== undefined
          ? html`<ent-room role="main" .session=${s} roomId=${room} thread=${this.thread ?? ""} .i18n=${this.i18n} version=${this.version}></ent-room>`
          : html`<main class="empty"><p>${t("selectRoom")}</p></main>`}</ent-tasks-outlet></ent-dossiers-outlet>
      </div>
      <ent-create-dialog .i18n=${this.i18n} .spaces=${list.spaces.map((g) => g.space)} userId=${s.userId}
        @create-request=${(e: CustomEvent<CreateRequest>) => void this.create(e.detail).catch(fail)}></ent-create-dialog>`;
  }
}
customElements.define("ent-app", AppShell);
