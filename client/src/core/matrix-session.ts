// The signed-in session over matrix-js-sdk: starts the client and its Rust crypto, turns SDK
// objects into the plain data of chat-port.ts, and coalesces the SDK's many events into one
// "changed" signal for the UI. Loaded with import() after sign-in only.
import { MatrixProfilePort } from "./profile-sdk.ts";
import type { ProfilePort } from "./profile-port.ts";
import {
  ClientEvent, createClient, EventStatus, MatrixEventEvent, NotificationCountType, PendingEventOrdering, RoomEvent, RoomMemberEvent, RoomStateEvent, SyncState,
  type MatrixClient, type MatrixEvent, type Room,
} from "matrix-js-sdk";
import type { ChatSession, ChatState, NewRoom, RecoveryState, UploadHandle } from "./chat-port.ts";
import type { RawEvent } from "./raw-event.ts";
import type { RoomSummary } from "./room-list-model.ts";
import { createDirect, createRoom, createSpace, inviteAcross } from "./room-actions.ts";
import type { JoinRuleChoice, MemberTrust, ModerationAction, RoomSettings } from "./room-settings-model.ts";
import { moderate, setRoomAvatar, setRoomProfile } from "./room-profile-sdk.ts";
import { ThumbnailCache } from "./media-thumbnail.ts";
import { errorKind, maxUploadSize } from "./error-kind.ts";
import { Outbox } from "./outbox-sdk.ts";
import { memberTrust } from "./member-trust-sdk.ts";
import { readRoomSettings, setJoinRule, setUserLevel } from "./room-settings-sdk.ts";
import { myReadUpTo, othersReadUpTo, searchPeople, setTyping } from "./room-presence-sdk.ts";
import type { MentionCandidate } from "./mentions.ts";
import { prepareSecureBackup, restoreAfterVerification, restoreWithRecoveryKey, SecretStorageKeyCache } from "./secure-backup.ts";
import { SdkVerification } from "./verification-sdk.ts";
import type { VerificationPort } from "./verification-model.ts";
import { SdkNotifications } from "./browser-notifications-sdk.ts";
import { SdkUtdRetry } from "./utd-retry-sdk.ts";
import type { NotificationsPort } from "./notify-model.ts";
import { pollEnders } from "./poll-permissions-sdk.ts";
import { imageThumbnail } from "./media-preview-sdk.ts";
import type { PollEnders } from "./poll-model.ts";
import { downloadFile, uploadFile } from "./file-transfer.ts";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";
import { quietSdkConsole, type LoglevelLike } from "./sdk-log-filter.ts";
import { sendAny } from "./sdk-untyped.ts";
import { fetchThread } from "./thread-sdk.ts";
import type { Session } from "./sign-in.ts";
import type { FileInfo } from "./timeline-model.ts";
import { matrixRoomWidgetsPort } from "./widgets/matrix-client-port.ts";
import type { RoomWidgetsPort } from "./widgets/room-widgets-port.ts";
import { MatrixTasksPort } from "./tasks/tasks-sdk.ts";
import type { TasksPort } from "./tasks/tasks-port.ts";
import { MatrixDossiersPort } from "./dossiers/dossiers-sdk.ts";
import type { DossiersPort } from "./dossiers/dossiers-port.ts";
import { MatrixSharePort } from "./dossiers/share-sdk.ts";
import type { SharePort } from "./dossiers/share-port.ts";

// The SDK's console (sdk-log-filter.ts): warnings and errors, its chatter only in `npm run dev`
// (Vite's import.meta.env; absent in Node tests), once, with the SDK.
quietSdkConsole(sdkLogger as unknown as LoglevelLike, (import.meta as ImportMeta & { env?: { DEV?: boolean } }).env?.DEV === true);

/** Timing marks read by the page-load benchmark (tests/bench/web-client.ts); absent in Node tests. */
const mark = (name: string): void => { globalThis.performance?.mark(name); };

export interface StartOptions {
  /** Browser: true (IndexedDB crypto store, survives reloads). Node tests: false (in memory). */
  useIndexedDB: boolean;
  /** Known only right after the sign-in form; lets the first sign-in set up cross-signing. */
  password?: string | undefined;
  initialSyncLimit?: number;
}

export function toRawEvent(e: MatrixEvent): RawEvent | undefined {
  const eventId = e.getId();
  const sender = e.getSender();
  if (eventId === undefined || sender === undefined) return undefined;
  const notSent = e.status === EventStatus.NOT_SENT;
  const queued = notSent && Outbox.waiting(e);
  const failed = notSent && !queued;
  const sending = e.status !== null && !notSent && e.status !== EventStatus.SENT;
  const stateKey = e.getStateKey();
  return {
    eventId, sender, type: e.getType(), ts: e.getTs(),
    // The original content: the timeline fold applies edits itself, in one place.
    content: e.getOriginalContent() as Record<string, unknown>,
    ...(stateKey !== undefined ? { stateKey } : {}),
    ...(e.isRedacted() ? { redacted: true } : {}),
    ...(e.isDecryptionFailure() ? { undecryptable: true } : {}),
    ...(failed ? { status: "failed" as const } : queued ? { status: "queued" as const } : sending ? { status: "sending" as const } : {}),
  };
}

/** toRawEvent, answered from a per-event cache while nothing it reads has changed (10,000-event rooms). */
const rawMemo = new WeakMap<MatrixEvent, { raw: RawEvent | undefined; id: string | undefined; content: unknown; status: unknown; redacted: boolean; failure: boolean; type: string }>();
/** The display name the inviter's member event gives (in an invitation's stripped state), if any. */
function inviterDisplayName(room: Room, inviter: string | undefined): string | undefined {
  const name = inviter === undefined ? undefined : room.currentState.getStateEvents("m.room.member", inviter)?.getContent()["displayname"];
  return typeof name === "string" && name.trim() !== "" ? name.trim() : undefined;
}

function cachedRawEvent(e: MatrixEvent): RawEvent | undefined {
  const content = e.getOriginalContent();
  const c = rawMemo.get(e);
  if (c !== undefined && c.content === content && c.id === e.getId() && c.status === e.status && c.redacted === e.isRedacted()
    && c.failure === e.isDecryptionFailure() && c.type === e.getType()) return c.raw;
  const raw = toRawEvent(e);
  rawMemo.set(e, { raw, id: e.getId(), content, status: e.status, redacted: e.isRedacted(), failure: e.isDecryptionFailure(), type: e.getType() });
  return raw;
}

/** Events asked for per page of older history (/messages limit). */
export const HISTORY_PAGE = 150;

export class MatrixChatSession implements ChatSession {
  readonly userId: string;
  private readonly client: MatrixClient;
  private readonly keyCache: SecretStorageKeyCache;
  private readonly listeners = new Set<() => void>();
  private sync: ChatState["sync"] = "starting";
  private recovery: RecoveryState = { kind: "pending" };
  private scheduled = false;
  private readonly outbox: Outbox;

  private constructor(client: MatrixClient, keyCache: SecretStorageKeyCache) {
    this.client = client;
    this.keyCache = keyCache;
    this.userId = client.getSafeUserId();
    // Retried every few seconds only while the device is online and the sync reaches the server;
    // the sync coming back and the "online" event flush it at once.
    this.outbox = new Outbox(client, () => this.sync !== "offline" && (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false);
  }

  static async start(session: Session, opts: StartOptions): Promise<MatrixChatSession> {
    const keyCache = new SecretStorageKeyCache();
    const client = createClient({
      baseUrl: session.baseUrl, userId: session.userId, accessToken: session.accessToken, deviceId: session.deviceId,
      cryptoCallbacks: { getSecretStorageKey: keyCache.callback },
    });
    mark("entente:sdk-loaded");
    await client.initRustCrypto({ useIndexedDB: opts.useIndexedDB, cryptoDatabasePrefix: `entente-${session.userId}-${session.deviceId}` });
    mark("entente:crypto-ready");
    const s = new MatrixChatSession(client, keyCache);
    s.listen();
    const firstSync = new Promise<void>((resolve) => {
      const onSync = (state: SyncState): void => {
        if (state === SyncState.Prepared || state === SyncState.Syncing) {
          client.off(ClientEvent.Sync, onSync);
          resolve();
        }
      };
      client.on(ClientEvent.Sync, onSync);
    });
    // Detached: pending and failed sends stay listed apart, so a failed one can be shown with "retry".
    // lazyLoadMembers: the initial sync carries only the members of the senders it shows (a room of
    // 500 agents is not 500 member events); the SDK loads the rest when it encrypts or lists them.
    await client.startClient({ initialSyncLimit: opts.initialSyncLimit ?? 20, lazyLoadMembers: true, pendingEventOrdering: PendingEventOrdering.Detached });
    await firstSync;
    mark("entente:first-sync");
    void prepareSecureBackup(client, keyCache, opts.password).then(
      (r) => s.setRecovery(r),
      (e: unknown) => s.setRecovery({ kind: "unavailable", reason: e instanceof Error ? e.message : String(e) }),
    );
    return s;
  }

  private listen(): void {
    const c = this.client;
    const changed = (): void => this.changed();
    c.on(ClientEvent.Sync, (state: SyncState) => {
      const before = this.sync;
      this.sync = state === SyncState.Error || state === SyncState.Reconnecting ? "offline" : state === SyncState.Syncing || state === SyncState.Prepared ? "syncing" : this.sync;
      // The server answers again: what waited in the outbox goes now, in order.
      if (before === "offline" && this.sync === "syncing") void this.outbox.flush();
      changed();
    });
    // The device's network (browser only): the banner at once, and a sync attempt as soon as it is back.
    const g = globalThis as { addEventListener?: (type: string, fn: () => void) => void };
    g.addEventListener?.("offline", changed);
    g.addEventListener?.("online", () => {
      c.retryImmediately();
      void this.outbox.flush();
      changed();
    });
    c.on(ClientEvent.Room, changed);
    c.on(ClientEvent.AccountData, changed);
    c.on(RoomEvent.Timeline, changed);
    c.on(RoomEvent.TimelineReset, changed);
    c.on(RoomEvent.Name, changed);
    c.on(RoomEvent.Receipt, changed);
    c.on(RoomEvent.MyMembership, changed);
    c.on(RoomEvent.Redaction, changed);
    c.on(RoomEvent.LocalEchoUpdated, changed);
    c.on(RoomStateEvent.Events, changed);
    c.on(RoomMemberEvent.Typing, changed);
    c.on(MatrixEventEvent.Decrypted, changed);
    // From the start, so a request arriving before the UI asks is not missed.
    this.verificationPort = new SdkVerification(c, { changed, selfVerified: () => this.afterSelfVerification() });
    this.notificationsPort = new SdkNotifications(c, (roomId) => this.directRoomIds().has(roomId));
    // A message whose key reaches the backup after this device asked for it is retried then.
    this.utdRetry = new SdkUtdRetry(c);
  }

  private utdRetry: SdkUtdRetry | undefined;

  private verificationPort: SdkVerification | undefined;
  private notificationsPort: SdkNotifications | undefined;
  verification(): VerificationPort {
    this.verificationPort ??= new SdkVerification(this.client, { changed: () => this.changed(), selfVerified: () => this.afterSelfVerification() });
    return this.verificationPort;
  }
  notifications(): NotificationsPort {
    this.notificationsPort ??= new SdkNotifications(this.client, (roomId) => this.directRoomIds().has(roomId));
    return this.notificationsPort;
  }
  pollEnders(roomId: string): PollEnders {
    return pollEnders(this.client, roomId);
  }
  imageThumbnail(mxc: string, width: number, height: number): Promise<Blob> {
    return imageThumbnail(this.client, mxc, width, height);
  }

  /** This device was just verified from another one of mine: its history comes from the backup. */
  private afterSelfVerification(): void {
    if (this.recovery.kind !== "ask-key") return;
    this.setRecovery({ kind: "restoring" });
    void restoreAfterVerification(this.client).then(
      (ok) => this.setRecovery(ok ? { kind: "ready" } : { kind: "ask-key" }),
      () => this.setRecovery({ kind: "ask-key" }),
    );
  }

  /** Coalesced: a sync batch fires hundreds of SDK events, the UI renders once. */
  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    }, 0);
  }

  private setRecovery(r: RecoveryState): void {
    this.recovery = r;
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): ChatState {
    const deviceOffline = (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
    return { sync: deviceOffline ? "offline" : this.sync, rooms: this.client.getRooms().flatMap((r) => this.summary(r)), recovery: this.recovery };
  }

  private directRoomIds(): Set<string> {
    const content = (this.client.getAccountData.bind(this.client) as (t: string) => MatrixEvent | undefined)("m.direct")?.getContent() ?? {};
    return new Set(Object.values(content as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])));
  }

  private summary(room: Room): RoomSummary[] {
    const membership = room.getMyMembership();
    if (membership !== "join" && membership !== "invite") return [];
    const events = room.getLiveTimeline().getEvents();
    const me = this.userId;
    const myMember = room.getMember(me);
    const isDirectInvite = myMember?.events.member?.getContent()["is_direct"] === true;
    const children = room.isSpaceRoom()
      ? room.currentState.getStateEvents("m.space.child").filter((e) => Array.isArray(e.getContent()["via"])).flatMap((e) => e.getStateKey() ?? [])
      : [];
    return [{
      roomId: room.roomId, name: room.name, isSpace: room.isSpaceRoom(), membership,
      isDirect: this.directRoomIds().has(room.roomId) || isDirectInvite,
      encrypted: room.hasEncryptionStateEvent(),
      // The server's counts (push rules evaluated by the homeserver, reset by our read receipts),
      // threads included: not a guess from the few events this client happened to load.
      unread: membership === "join" ? room.getUnreadNotificationCount(NotificationCountType.Total) : 0,
      highlights: membership === "join" ? room.getUnreadNotificationCount(NotificationCountType.Highlight) : 0,
      lastActivity: events.at(-1)?.getTs() ?? 0,
      children,
      inviter: membership === "invite" ? myMember?.events.member?.getSender() : undefined,
      // The invitation's state holds the inviter's member event (their name), as servers send it.
      inviterName: membership === "invite" ? inviterDisplayName(room, myMember?.events.member?.getSender()) : undefined,
      avatar: room.getMxcAvatarUrl() ?? undefined,
    }];
  }

  roomEvents(roomId: string): RawEvent[] {
    const room = this.client.getRoom(roomId);
    if (room === null) return [];
    const live = room.getLiveTimeline().getEvents();
    const pending = room.getPendingEvents();
    return [...live, ...pending].flatMap((e) => cachedRawEvent(e) ?? []);
  }

  roomName(roomId: string): string {
    return this.client.getRoom(roomId)?.name ?? roomId;
  }
  roomAvatar(roomId: string): string | undefined {
    return this.client.getRoom(roomId)?.getMxcAvatarUrl() ?? undefined;
  }

  memberName(roomId: string, userId: string): string {
    return this.client.getRoom(roomId)?.getMember(userId)?.name ?? userId;
  }

  isEncrypted(roomId: string): boolean {
    return this.client.getRoom(roomId)?.hasEncryptionStateEvent() ?? false;
  }

  typing(roomId: string): string[] {
    const room = this.client.getRoom(roomId);
    return room === null ? [] : room.getMembers().filter((m) => m.typing && m.userId !== this.userId).map((m) => m.name);
  }

  setTyping(roomId: string, typing: boolean): Promise<void> {
    return setTyping(this.client, roomId, typing);
  }
  readReceipts(roomId: string): [string, string][] {
    return othersReadUpTo(this.client, roomId);
  }
  myReadUpTo(roomId: string): string | undefined {
    return myReadUpTo(this.client, roomId);
  }
  searchPeople(roomId: string, term: string): Promise<MentionCandidate[]> {
    return searchPeople(this.client, roomId, term);
  }

  async loadOlder(roomId: string): Promise<boolean> {
    const room = this.client.getRoom(roomId);
    if (room === null) return false;
    // 150 events a request (was 40): each page still costs a pass over every loaded event (SDK
    // events to raw ones, row index, receipts) and a relayout, so fewer, larger pages.
    await this.client.scrollback(room, HISTORY_PAGE);
    return room.getLiveTimeline().getPaginationToken("b" as never) !== null;
  }

  threadEvents(roomId: string, rootId: string): Promise<RawEvent[]> {
    return fetchThread(this.client, roomId, rootId, toRawEvent);
  }

  async send(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    try {
      return (await sendAny(this.client, roomId, type, content)).event_id;
    } catch (e: unknown) {
      // The server could not be reached: the event waits in the outbox (shown "queued"); resolves with "".
      const waiting = this.client.getRoom(roomId)?.getPendingEvents().some((p) => Outbox.waiting(p)) ?? false;
      const kind = errorKind(e, true);
      if (!waiting || (kind !== "unreachable" && !(e instanceof Error && /blocked by other events/.test(e.message)))) throw e;
      if (kind === "unreachable") this.sync = "offline";
      this.outbox.armed();
      this.changed();
      return "";
    }
  }

  async retry(roomId: string, eventId: string): Promise<void> {
    const e = this.client.getRoom(roomId)?.findEventById(eventId) ?? this.client.getRoom(roomId)?.getPendingEvents().find((p) => p.getId() === eventId);
    if (e !== undefined) await this.client.resendEvent(e, this.client.getRoom(roomId) as Room);
    // Sends queued behind the one that failed go after it.
    await this.outbox.flush();
  }

  async redact(roomId: string, eventId: string): Promise<void> {
    await this.client.redactEvent(roomId, eventId);
  }

  async markRead(roomId: string): Promise<void> {
    const last = this.client.getRoom(roomId)?.getLiveTimeline().getEvents().at(-1);
    if (last !== undefined && last.getId()?.startsWith("$") === true) await this.client.sendReadReceipt(last);
  }

  createSpace(name: string): Promise<string> {
    return createSpace(this.client, name);
  }
  createRoom(r: NewRoom): Promise<string> {
    return createRoom(this.client, r);
  }
  createDirect(userId: string): Promise<string> {
    return createDirect(this.client, userId);
  }
  invite(roomId: string, userId: string): Promise<void> {
    return inviteAcross(this.client, roomId, userId);
  }
  async join(roomId: string): Promise<void> {
    await this.client.joinRoom(roomId);
  }
  async leave(roomId: string): Promise<void> {
    await this.client.leave(roomId);
  }
  roomSettings(roomId: string): RoomSettings | undefined {
    return readRoomSettings(this.client, roomId);
  }
  async loadMembers(roomId: string): Promise<void> {
    await this.client.getRoom(roomId)?.loadMembersIfNeeded();
    this.changed();
  }
  memberTrust(userIds: readonly string[]): Promise<Map<string, MemberTrust>> {
    return memberTrust(this.client, userIds);
  }
  setJoinRule(roomId: string, rule: JoinRuleChoice): Promise<void> {
    return setJoinRule(this.client, roomId, rule);
  }
  setPowerLevel(roomId: string, userId: string, level: number): Promise<void> {
    return setUserLevel(this.client, roomId, userId, level);
  }
  setRoomProfile(roomId: string, typed: { name: string; topic: string }): Promise<void> {
    return setRoomProfile(this.client, roomId, typed);
  }
  setRoomAvatar(roomId: string, file: File): Promise<void> {
    return setRoomAvatar(this.client, roomId, file);
  }
  moderate(roomId: string, action: ModerationAction): Promise<void> {
    return moderate(this.client, roomId, action);
  }
  private thumbnails: ThumbnailCache | undefined;
  thumbnail(mxc: string): Promise<string> {
    this.thumbnails ??= new ThumbnailCache(() => this.client.getHomeserverUrl(), () => this.client.getAccessToken() ?? "", (u, i) => fetch(u, i), (b) => URL.createObjectURL(b));
    return this.thumbnails.get(mxc);
  }
  waitingSends(): number {
    return this.outbox.count();
  }
  private mediaConfig: Promise<number | undefined> | undefined;
  maxUploadSize(): Promise<number | undefined> {
    this.mediaConfig ??= this.client.getMediaConfig(true).then((c) => maxUploadSize(c), () => { this.mediaConfig = undefined; return undefined; });
    return this.mediaConfig;
  }
  upload(roomId: string, file: File, onProgress: (loaded: number, total: number) => void): UploadHandle {
    return uploadFile(this.client, roomId, file, this.isEncrypted(roomId), onProgress);
  }
  download(file: FileInfo): Promise<Blob> {
    return downloadFile(this.client, file);
  }

  async restoreFromRecoveryKey(recoveryKey: string): Promise<number> {
    const n = await restoreWithRecoveryKey(this.client, this.keyCache, recoveryKey);
    this.setRecovery({ kind: "ready" });
    return n;
  }

  recoveryKeySaved(): void {
    this.setRecovery({ kind: "ready" });
  }

  async signOut(): Promise<void> {
    this.outbox.stop();
    this.utdRetry?.stop();
    this.client.stopClient();
    await this.client.logout(true).catch(() => undefined);
  }

  stop(): void {
    this.outbox.stop();
    this.utdRetry?.stop();
    this.client.stopClient();
  }

  private widgetsPort: RoomWidgetsPort | undefined;
  widgets(): RoomWidgetsPort {
    this.widgetsPort ??= matrixRoomWidgetsPort(this.client);
    return this.widgetsPort;
  }
  private tasksPort: TasksPort | undefined;
  tasks(): TasksPort {
    this.tasksPort ??= new MatrixTasksPort(this.client);
    return this.tasksPort;
  }
  private dossiersPort: DossiersPort | undefined;
  dossiers(): DossiersPort {
    this.dossiersPort ??= new MatrixDossiersPort(this.client);
    return this.dossiersPort;
  }
  private profilePort: ProfilePort | undefined;
  profile(): ProfilePort {
    this.profilePort ??= new MatrixProfilePort(this.client);
    return this.profilePort;
  }
  private sharePort: SharePort | undefined;
  shares(): SharePort {
    this.sharePort ??= new MatrixSharePort(this.client);
    return this.sharePort;
  }
}
