// What the dossier view needs to share a file with a citizen (ui/ sees this interface only;
// implementation: share-sdk.ts). The file is decrypted in the page (DossiersPort.download),
// re-encrypted with a generated password (OpenPGP, AEAD + Argon2) and uploaded to the council's
// share service (appservices/share); the room gets a notice in the file's thread, with neither the
// link nor the password.
import type { FileVersion } from "./dossier-model.ts";
import type { ShareLimits } from "./share-expiry.ts";

export type ShareState = "active" | "revoked" | "expired" | "exhausted";

export interface ShareAccess { at: number; action: string; reason?: string }

export interface FileShare {
  id: string;
  url: string;
  createdAt: number;
  expiresAt: number;
  maxDownloads: number;
  downloads: number;
  state: ShareState;
  access: ShareAccess[];
}

export interface ShareRequest {
  roomId: string;
  /** The file's entry (its root message). */
  entryId: string;
  name: string;
  version: FileVersion;
  /** The decrypted file. */
  plain: Blob;
  /** When the link stops working (ms since the epoch; share-expiry.ts checks it against the service's limits). */
  expiresAt: number;
  maxDownloads: number;
}

export type ShareProgress = { phase: "encrypting" } | { phase: "uploading"; sent: number; total: number };

/** A one-time reply link ("lien de dépôt") asked for about a file. */
export interface FileDrop {
  id: string;
  createdAt: number;
  expiresAt: number;
  state: "waiting" | "uploading" | "received" | "closed" | "expired";
  /** The citizen's file name (opened with the link's secret) and the ciphertext's size, once received. */
  name?: string;
  /** The name as the service keeps it: sealed with the link's secret. */
  sealedName?: string;
  size?: number;
}

export interface SharePort {
  /** The council's share service address, when config.json names one for this agent's server. */
  serviceUrl(): Promise<string | undefined>;
  /** What the service accepts (longest expiry, most downloads); its defaults if it does not say. */
  limits(): Promise<ShareLimits>;
  /** Encrypts, uploads, posts the room notice; the password exists only in the returned value. */
  share(req: ShareRequest, onProgress: (p: ShareProgress) => void): Promise<{ share: FileShare; password: string }>;
  /** This agent's shares of one file, newest first, with their access logs. */
  list(roomId: string, entryId: string): Promise<FileShare[]>;
  revoke(id: string): Promise<void>;
  /**
   * A reply link: its secret (the link's fragment, never sent to the service) is posted in an
   * end-to-end encrypted notice in the file's thread, so any member's device can open the reply.
   */
  createDrop(roomId: string, entryId: string, name: string, expiresInHours: number): Promise<{ drop: FileDrop; link: string }>;
  drops(roomId: string, entryId: string): Promise<FileDrop[]>;
  /** The citizen's file, downloaded and decrypted in the page (rejects if the secret is not found). */
  receiveDrop(roomId: string, entryId: string, drop: FileDrop): Promise<File>;
  /** Closes the drop: the service deletes the ciphertext. */
  closeDrop(id: string): Promise<void>;
}
