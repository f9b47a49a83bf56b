// What the dossier views need from the session (ui/ sees this interface only, never matrix-js-sdk;
// implementation: dossiers-sdk.ts). A dossier is an encrypted room of type fr.entente.dossier in a
// working group's space; its tree is the protocol's fold of the room's file events.
import type { DossierSnapshot, FileVersion } from "./dossier-model.ts";
import type { DownloadProgress } from "./dossier-transfer.ts";
import type { ArchiveProgress, ArchiveResult } from "./archive-export.ts";
import type { DossierMember } from "./dossier-members.ts";
import type { FileLock } from "./file-locks.ts";

export interface SpaceRef { spaceId: string; name: string }
export interface DossierRef { roomId: string; name: string; membership: "join" | "invite" }

export type TransferPhase = "encrypting" | "uploading" | "sending" | "paused";
export interface TransferProgress {
  phase: TransferPhase;
  sentBytes: number;
  totalBytes: number;
  /** 0 while unknown. */
  bytesPerSecond: number;
  remainingSeconds: number | undefined;
  /** Why a file in parts stopped: the agent's pause, or the network (retries exhausted). */
  pausedBy?: "user" | "network";
}

export interface TransferHandle {
  done: Promise<void>;
  cancel(): void;
  /** Files in parts only (above the threshold): stop after the part in flight is cut, and go on later. */
  pausable: boolean;
  pause(): void;
  /** Goes on with the parts not acknowledged yet (the same keys: a cut part is re-sent identically). */
  resume(): void;
}

export interface UploadTarget {
  /** The folder to put the new file in (undefined: top level). */
  parent?: string | undefined;
  /** Make the file a new version of this entry instead of a new entry. */
  versionOf?: string | undefined;
}

/** An upload in parts interrupted by a reload: it goes on when the agent picks the same file again. */
/** An upload in parts a reload interrupted; `ready`: every part and the manifest are up, only its message is left to send. */
export interface InterruptedUpload { id: string; name: string; size: number; partsDone: number; partsTotal: number; ready?: boolean; /** The entry it is a new version of. */ versionOf?: string }

/** A download to disk a reload interrupted, or whose retries gave up: "Reprendre" starts it again. */
export interface InterruptedDownload { id: string; entryId: string; versionId: string; name: string; size: number | undefined; reason: "reload" | "network" }

/** Where a saved version lives, so an interrupted download can be offered again after a reload. */
export interface DownloadOrigin { roomId: string; entryId: string }

export interface EntryChange {
  name?: string;
  parent?: string | null;
  deleted?: boolean;
  /** Link an uploaded file message as the entry's new version. */
  addVersion?: string;
}

export interface DossiersPort {
  readonly userId: string;
  spaces(): SpaceRef[];
  /** Working groups (spaces) this agent is invited to: their dossiers show once the invitation is accepted. */
  invitedSpaces?(): SpaceRef[];
  /** The space's dossiers this agent has joined or is invited to. */
  dossiers(spaceId: string): DossierRef[];
  /** Encrypted room of type fr.entente.dossier, restricted to the space's members, linked as m.space.child. */
  createDossier(spaceId: string, name: string): Promise<string>;
  dossierName(roomId: string): string | undefined;
  isDossier(roomId: string): boolean;
  memberName(roomId: string, userId: string): string;
  /** The folded tree; the room's whole history is read once, then kept from the live timeline. */
  snapshot(roomId: string): Promise<DossierSnapshot>;
  /** A file or folder event arrived or decrypted in a dossier. */
  onChange(listener: (roomId: string) => void): () => void;
  /** How many of the dossier's events are not decrypted yet (their key has not reached this device); onChange tells when it changes. */
  undecrypted?(roomId: string): number;
  createFolder(roomId: string, name: string, parent: string | undefined): Promise<void>;
  change(roomId: string, entryId: string, change: EntryChange): Promise<void>;
  /** Streamed encryption and upload (in parts above the configured threshold), then the m.file message. */
  upload(roomId: string, file: File, target: UploadTarget, largeFileThreshold: number, onProgress: (p: TransferProgress) => void): TransferHandle;
  /** Uploads in parts of this dossier that a reload interrupted (not those running in this page). */
  interruptedUploads(roomId: string): InterruptedUpload[];
  /**
   * Goes on with an interrupted upload: only its parts not acknowledged are sent. Rejects if `file` is
   * not the same name and size. A `ready` one needs no file: its message is sent.
   */
  resumeUpload(id: string, file: File | undefined, onProgress: (p: TransferProgress) => void): TransferHandle;
  /** Forgets an interrupted upload (parts already on the server stay there, unreferenced). */
  abandonUpload(id: string): void;
  /**
   * Downloads and decrypts one version in the page, checking its SHA-256 (every part's for a file in
   * parts). `onProgress` counts decrypted bytes; `signal` aborts the request and rejects.
   */
  download(version: FileVersion, onProgress?: (received: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Blob>;
  /**
   * Downloads one version straight to disk (save dialog, else a service worker stream), each part
   * written once its SHA-256 matched, resumed after a network cut. Call from the click itself.
   */
  save(version: FileVersion, name: string, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal, origin?: DownloadOrigin): Promise<{ saved: "picker" | "service-worker" | "blob" | "cancelled" }>;
  /** Downloads of this dossier a reload interrupted or the retries gave up on (not those running in this page). */
  interruptedDownloads(roomId: string): InterruptedDownload[];
  /** Forgets an interrupted download (also done when it is started again). */
  forgetDownload(id: string): void;
  /**
   * A small decrypted image (the message's thumbnail, else the image itself when small); undefined
   * otherwise. `signal` (the view went) aborts the request; the promise then rejects with its reason.
   */
  preview(version: FileVersion, signal?: AbortSignal): Promise<Blob | undefined>;
  /** Advisory locks ("en cours de modification par …") active at `now`, by entry id, from the room's state. */
  locks(roomId: string, now: number): Map<string, FileLock>;
  /** Whether this agent's power level lets them send the lock state (false in dossiers created before locks existed, unless an admin allows it). */
  mayLock(roomId: string): boolean;
  /** Says this agent is editing the entry until `expiresAt` (ms since the epoch). */
  lock(roomId: string, entryId: string, expiresAt: number): Promise<void>;
  /** Ends this agent's lock on the entry. */
  unlock(roomId: string, entryId: string): Promise<void>;
  /** Whether this agent's power level lets them change the dossier (folders, files, versions, renames, moves, deletions). */
  mayChange(roomId: string): boolean;
  /**
   * The level an archive export needs (the share service's rule, archive-route.ts: the room's
   * moderator level, `redact`) and this agent's, so the view says it before any work is done.
   */
  archiveLevel?(roomId: string): { needed: number; mine: number };
  /** The server's per-file upload limit (media config m.upload.size), if it gives one. */
  maxUploadSize(): Promise<number | undefined>;
  invite(roomId: string, userId: string): Promise<void>;
  /** Accepts an invitation to a dossier. */
  join(roomId: string): Promise<void>;
  /** Export for the public archives (archive-export.ts): the council-signed file, encrypted to the archivist. */
  exportArchive(roomId: string, onProgress: (p: ArchiveProgress) => void): Promise<ArchiveResult>;
  /** Joined and invited members, and whether this agent may remove each (kick level, above them). */
  members(roomId: string): DossierMember[];
  /** Removes a member (kick); the room key changes for what is sent next. */
  removeMember(roomId: string, userId: string): Promise<void>;
}

