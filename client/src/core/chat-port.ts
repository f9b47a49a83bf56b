// What the UI may know of a signed-in session: plain data and methods, no matrix-js-sdk type, so
// ui/ never imports the SDK (DESIGN.md) and the SDK stays out of the first download.
import type { ProfilePort } from "./profile-port.ts";
import type { RawEvent } from "./raw-event.ts";
import type { MentionCandidate } from "./mentions.ts";
import type { RoomSummary } from "./room-list-model.ts";
import type { JoinRuleChoice, MemberTrust, ModerationAction, RoomSettings } from "./room-settings-model.ts";
import type { FileInfo } from "./timeline-model.ts";
import type { RoomWidgetsPort } from "./widgets/room-widgets-port.ts";
import type { VerificationPort } from "./verification-model.ts";
import type { NotificationsPort } from "./notify-model.ts";
import type { PollEnders } from "./poll-model.ts";
import type { DossiersPort } from "./dossiers/dossiers-port.ts";
import type { SharePort } from "./dossiers/share-port.ts";
import type { TasksPort } from "./tasks/tasks-port.ts";

export type SyncStatus = "starting" | "syncing" | "offline";

/** Where secure backup stands for this device. */
export type RecoveryState =
  | { kind: "pending" }
  | { kind: "ready" }
  /** First sign-in anywhere: backup was just set up; the agent must save this key. */
  | { kind: "show-key"; recoveryKey: string }
  /** A backup exists but this device cannot read it yet: ask for the recovery key. */
  | { kind: "ask-key" }
  /** Verified from another device: the backup key came by secret sharing, the history is restored. */
  | { kind: "restoring" }
  | { kind: "unavailable"; reason: string };

export interface ChatState {
  sync: SyncStatus;
  rooms: RoomSummary[];
  recovery: RecoveryState;
}

export interface NewRoom {
  name: string; topic: string; spaceId: string | undefined; encrypted: boolean;
  /** The room's image, uploaded first and set in the creation's initial state. */
  avatar?: File | undefined;
  /** Anyone with the link may join (join rule public; not published in the server's directory). */
  isPublic?: boolean | undefined;
}

export interface UploadHandle { done: Promise<void>; cancel(): void }

export interface ChatSession {
  readonly userId: string;
  state(): ChatState;
  /** Called (coalesced) whenever rooms, timelines or sync status change. */
  subscribe(listener: () => void): () => void;
  roomEvents(roomId: string): RawEvent[];
  roomName(roomId: string): string;
  /** The room's image (mxc://), if it has one. */
  roomAvatar(roomId: string): string | undefined;
  memberName(roomId: string, userId: string): string;
  isEncrypted(roomId: string): boolean;
  typing(roomId: string): string[];
  /** Tell the room I am (or stopped) typing. */
  setTyping(roomId: string, typing: boolean): Promise<void>;
  /** Others' read receipts: [userId, event id read up to]. */
  readReceipts(roomId: string): [string, string][];
  /** The event my read receipt points at (undefined: never read). */
  myReadUpTo(roomId: string): string | undefined;
  /** People to @-mention for a term, across councils. */
  searchPeople(roomId: string, term: string): Promise<MentionCandidate[]>;
  /** Older history; false when the start of the room is reached. */
  loadOlder(roomId: string): Promise<boolean>;
  /** A thread's root and replies from the server (/relations, every page, decrypted). */
  threadEvents?(roomId: string, rootId: string): Promise<RawEvent[]>;
  send(roomId: string, type: string, content: Record<string, unknown>): Promise<string>;
  retry(roomId: string, eventId: string): Promise<void>;
  redact(roomId: string, eventId: string): Promise<void>;
  markRead(roomId: string): Promise<void>;
  createSpace(name: string): Promise<string>;
  createRoom(r: NewRoom): Promise<string>;
  /**
   * A direct chat with one person (encrypted, invited with is_direct, recorded in m.direct): the
   * joined one already there if any, else a new room.
   */
  createDirect(userId: string): Promise<string>;
  invite(roomId: string, userId: string): Promise<void>;
  join(roomId: string): Promise<void>;
  leave(roomId: string): Promise<void>;
  /** Members, roles, join rule, encryption; undefined for a room this session does not know. */
  roomSettings(roomId: string): RoomSettings | undefined;
  /** The full member list (the sync lazy-loads members); resolves when roomSettings() has them. */
  loadMembers(roomId: string): Promise<void>;
  setJoinRule(roomId: string, rule: JoinRuleChoice): Promise<void>;
  /** Members' identity verification and devices not signed by their owner (other people only). */
  memberTrust(userIds: readonly string[]): Promise<Map<string, MemberTrust>>;
  setPowerLevel(roomId: string, userId: string, level: number): Promise<void>;
  /** Name and topic as typed (only what changed is sent; a blank name is refused). */
  setRoomProfile(roomId: string, typed: { name: string; topic: string }): Promise<void>;
  setRoomAvatar(roomId: string, file: File): Promise<void>;
  /** Remove (kick), ban with a reason, or lift a ban. */
  moderate(roomId: string, action: ModerationAction): Promise<void>;
  /** An object URL of a small version of an image (room avatars), fetched with the access token. */
  thumbnail(mxc: string): Promise<string>;
  /** Messages waiting in the outbox for the server (they live in this page only). */
  waitingSends?(): number;
  /** The server's upload limit in bytes (media config m.upload.size), if it gives one. */
  maxUploadSize(): Promise<number | undefined>;
  upload(roomId: string, file: File, onProgress: (loaded: number, total: number) => void): UploadHandle;
  download(file: FileInfo): Promise<Blob>;
  restoreFromRecoveryKey(recoveryKey: string): Promise<number>;
  recoveryKeySaved(): void;
  signOut(): Promise<void>;
  stop(): void;
  /** The room widget panel's access (ui/widgets); optional: a session without widgets hides the panel. */
  widgets?(): RoomWidgetsPort;
  /** The agent's own display name and time zone. */
  profile?(): ProfilePort;
  /** Emoji (SAS) verification of my other devices and of other people (verification-sdk.ts). */
  verification?(): VerificationPort;
  /** Dossiers: encrypted file rooms of the working groups (ui/dossiers); optional like widgets. */
  dossiers?(): DossiersPort;
  /** Citizen sharing of dossier files through the council's share service (dossiers/share-sdk.ts). */
  shares?(): SharePort;
  /** Browser notifications for mentions and DMs (browser-notifications-sdk.ts). */
  notifications?(): NotificationsPort;
  /** Who besides a poll's creator may close polls in this room (MSC3381: may redact others' messages). */
  pollEnders?(roomId: string): PollEnders;
  /** A plain image's preview from the server's scaled thumbnail (media-preview-sdk.ts). */
  imageThumbnail?(mxc: string, width: number, height: number): Promise<Blob>;
  /** Task lists and objectives across rooms (ui/tasks, ui/objectives); optional like widgets. */
  tasks?(): TasksPort;
}
